"""The merchant's own account, as `/v1/account` shows it: branding (R11) and custom domain (R12)."""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.domain import configuration_rules as rules
from app.errors import ResourceMissing
from app.events import outbox
from app.objects.accounts import render_account
from app.params.configurations import AccountUpdateParams
from app.services.common import blank
from app.store.models import Account
from app.store.uow import UnitOfWork


async def retrieve(uow: UnitOfWork, ctx: Ctx) -> Account:
    """The account the key belongs to."""
    account = await uow.accounts.get(ctx.scope.account_id)
    if account is None:
        raise ResourceMissing("account", ctx.scope.account_id)
    return account


def _validated_branding(sent: dict[str, Any], current: dict[str, Any], livemode: bool) -> dict[str, Any]:
    branding = dict(current)
    for key, value in sent.items():
        param = f"settings[branding][{key}]"
        value = blank(value)
        if value is not None and key in ("primary_color", "secondary_color"):
            value = rules.check_color(value, param)
        elif value is not None:
            value = rules.check_url(value, param, livemode=livemode)
        branding[key] = value
    return branding


async def update(uow: UnitOfWork, ctx: Ctx, params: AccountUpdateParams) -> Account:
    """Branding, business name and the portal's custom domain (merged under the account's lock);
    records `account.updated`."""
    account = await uow.accounts.get_for_update(ctx.scope.account_id)
    if account is None:
        raise ResourceMissing("account", ctx.scope.account_id)
    before = render_account(account)
    settings = dict(account.settings or {})
    if params.settings is not None and params.settings.branding is not None:
        sent = {k: getattr(params.settings.branding, k) for k in params.settings.branding.sent()}
        settings["branding"] = _validated_branding(sent, settings.get("branding") or {}, ctx.scope.livemode)
    if params.settings is not None and params.settings.portal is not None:
        portal = dict(settings.get("portal") or {})
        if "custom_domain" in params.settings.portal.sent():
            domain = blank(params.settings.portal.custom_domain)
            portal["custom_domain"] = (
                None if domain is None else rules.check_custom_domain(domain, "settings[portal][custom_domain]")
            )
        settings["portal"] = portal
    if params.business_profile is not None:
        profile = dict(settings.get("business_profile") or {})
        for key in params.business_profile.sent():
            value = blank(getattr(params.business_profile, key))
            if value is not None and key == "url":
                value = rules.check_url(value, "business_profile[url]", livemode=ctx.scope.livemode)
            profile[key] = value
        settings["business_profile"] = profile
    account.settings = settings
    after = render_account(account)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "account.updated", after, previous=changed)
    return account
