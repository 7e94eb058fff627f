"""The merchant's own account, as `/v1/account` shows it: branding (R11) and custom domain (R12)."""

from __future__ import annotations

import secrets
from typing import Any

from app.context import Ctx
from app.domain import configuration_rules as rules
from app.domain import custom_domains
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.events.addresses import Resolver, Unreachable
from app.objects.accounts import render_account
from app.params.configurations import AccountUpdateParams
from app.services.common import blank, dump
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


def set_custom_domain(portal: dict[str, Any], domain: str | None, *, verified: bool) -> dict[str, Any]:
    """The portal settings with this domain, a fresh verification token, and its state."""
    portal = {k: v for k, v in portal.items() if not k.startswith("custom_domain")}
    if domain is not None:
        portal |= {
            "custom_domain": domain,
            "custom_domain_token": secrets.token_urlsafe(24),
            "custom_domain_verified": verified,
        }
    return portal


async def verify_custom_domain(uow: UnitOfWork, ctx: Ctx, resolver: Resolver) -> Account:
    """Look up the TXT record the account was given; verified when it carries the token."""
    account = await uow.accounts.get_for_update(ctx.scope.account_id)
    if account is None:
        raise ResourceMissing("account", ctx.scope.account_id)
    settings = dict(account.settings or {})
    pending = custom_domains.of(settings.get("portal"))
    if pending is None:
        raise InvalidRequest("The account has no custom domain to verify.", code="custom_domain_missing")
    if pending.verified:
        return account
    try:
        records = await resolver.txt(pending.txt_name)
    except Unreachable as exc:
        raise InvalidRequest(
            f"Looking up {pending.txt_name} failed ({exc}); try again.", code="custom_domain_unverified"
        ) from exc
    if not pending.proven_by(records):
        raise InvalidRequest(
            f"No TXT record at {pending.txt_name} reads {pending.txt_value!r} yet. Publish it, then verify again.",
            code="custom_domain_unverified",
        )
    before = render_account(account)
    settings["portal"] = {**settings["portal"], "custom_domain_verified": True}
    account.settings = settings
    after = render_account(account)
    outbox.record(uow, ctx, "account.updated", after, previous=outbox.previous_attributes(before, after))
    return account


async def approve_custom_domain(uow: UnitOfWork, account_id: str, domain: str | None) -> Account | None:
    """The operator's word instead of DNS (`portal accounts update --custom-domain D --verified`)."""
    account = await uow.accounts.get_for_update(account_id)
    if account is None:
        return None
    checked = None if domain is None else rules.check_custom_domain(domain, "custom_domain")
    settings = dict(account.settings or {})
    settings["portal"] = set_custom_domain(dict(settings.get("portal") or {}), checked, verified=True)
    account.settings = settings
    return account


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
            param = "settings[portal][custom_domain]"
            if not ctx.scope.livemode:
                # It moves live-mode links (and mailed sign-in links) too: a test key must not.
                raise InvalidRequest(
                    "The custom domain changes live-mode links: set it with a live-mode key (or in the "
                    "dashboard's live mode).",
                    code="livemode_key_required",
                    param=param,
                )
            domain = blank(params.settings.portal.custom_domain)
            checked = None if domain is None else rules.check_custom_domain(domain, param)
            if checked != portal.get("custom_domain"):
                portal = set_custom_domain(portal, checked, verified=False)
        settings["portal"] = portal
    if params.settings is not None and params.settings.revenue_recovery is not None:
        recovery = dict(settings.get("revenue_recovery") or {})
        for key in params.settings.revenue_recovery.sent():
            recovery[key] = getattr(params.settings.revenue_recovery, key)
        settings["revenue_recovery"] = recovery
    if params.business_profile is not None:
        profile = dict(settings.get("business_profile") or {})
        for key in params.business_profile.sent():
            value = blank(dump(getattr(params.business_profile, key)))
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
