"""Portal configuration use cases (R5, R6, R10, R11, R13, R17, R19)."""

from __future__ import annotations

import secrets
from typing import Any

from app import json_text
from app.context import Ctx
from app.domain import configuration_rules as rules
from app.domain.errors import RuleViolation
from app.errors import ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.configurations import default_features, render_configurations
from app.params.base import Params
from app.params.configurations import (
    ConfigurationCreateParams,
    ConfigurationListParams,
    ConfigurationUpdateParams,
)
from app.services.common import blank, merge_metadata
from app.store.models import PortalConfiguration
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork

NOUN = "billing_portal.configuration"


async def _render(uow: UnitOfWork, ctx: Ctx, c: PortalConfiguration) -> dict[str, Any]:
    return (await render_configurations(uow, ctx.scope, [c]))[0]


async def get(uow: UnitOfWork, ctx: Ctx, configuration_id: str, *, param: str = "id") -> PortalConfiguration:
    c = await uow.configurations.get(ctx.scope, configuration_id)
    if c is None:
        raise ResourceMissing(NOUN, configuration_id, param=param)
    return c


async def _require_paid_billing(uow: UnitOfWork, ctx: Ctx) -> None:
    account = await uow.accounts.get(ctx.scope.account_id)
    rules.check_paid_billing(livemode=ctx.scope.livemode, billing_enabled=bool(account and account.billing_enabled))


def _sent_tree(model: Params) -> dict[str, Any]:
    """What the client sent, nested (unsent fields left out, "" kept: it means clear)."""
    tree: dict[str, Any] = {}
    for name in model.sent():
        value = getattr(model, name)
        if isinstance(value, Params):
            tree[name] = _sent_tree(value)
        elif isinstance(value, list):
            tree[name] = [_sent_tree(v) if isinstance(v, Params) else v for v in value]
        else:
            tree[name] = value
    return tree


def _merge(base: dict[str, Any], sent: dict[str, Any]) -> dict[str, Any]:
    """`base` with `sent` merged in, as a new tree that shares nothing with either (a stored
    configuration's features are changed by assigning a new tree, never in place)."""
    merged: dict[str, Any] = json_text.copy(base)
    _merge_into(merged, json_text.copy(sent))
    return merged


def _merge_into(merged: dict[str, Any], sent: dict[str, Any]) -> None:
    for key, value in sent.items():
        if isinstance(value, dict) and isinstance(merged.get(key), dict):
            _merge_into(merged[key], value)
        else:
            merged[key] = value


def _normalise_features(features: dict[str, Any]) -> dict[str, Any]:
    """ "" clears a list; products keep Stripe's full shape."""
    update = features["subscription_update"]
    for key in ("default_allowed_updates", "products"):
        if update.get(key) == "":
            update[key] = []
    if update.get("schedule_at_period_end", {}).get("conditions") == "":
        update["schedule_at_period_end"]["conditions"] = []
    update["products"] = [
        {
            "adjustable_quantity": {
                "enabled": bool((p.get("adjustable_quantity") or {}).get("enabled", False)),
                "maximum": (p.get("adjustable_quantity") or {}).get("maximum"),
                "minimum": (p.get("adjustable_quantity") or {}).get("minimum", 0) or 0,
            },
            "prices": list(p["prices"]),
            "product": p["product"],
        }
        for p in update["products"]
    ]
    customer_update = features["customer_update"]
    if customer_update.get("allowed_updates") == "":
        customer_update["allowed_updates"] = []
    reason = features["subscription_cancel"]["cancellation_reason"]
    if reason.get("options") == "":
        reason["options"] = []
    method = features["payment_method_update"]
    if method.get("payment_method_configuration") == "":
        method["payment_method_configuration"] = None
    return features


async def _check_features(uow: UnitOfWork, ctx: Ctx, features: dict[str, Any], sent: dict[str, Any]) -> None:
    if "subscription_pause" in sent:
        rules.check_subscription_pause_param(ctx.clock.now().date())
    rules.check_cancel(features["subscription_cancel"])
    products = features["subscription_update"]["products"]
    if "products" in sent.get("subscription_update", {}) and products:
        ids = [price_id for p in products for price_id in p["prices"]]
        prices = await uow.prices.many(ctx.scope, ids)
        facts = {
            p.id: rules.PriceFacts(
                id=p.id,
                product=p.product_id,
                active=p.active,
                recurring=p.type == "recurring",
                interval=(p.recurring or {}).get("interval"),
                currency=p.currency,
            )
            for p in prices.values()
        }
        rules.check_update_products(products, facts)


def _check_urls(business_profile: dict[str, Any], default_return_url: str | None, livemode: bool) -> None:
    for field in ("privacy_policy_url", "terms_of_service_url"):
        if business_profile.get(field):
            rules.check_url(business_profile[field], f"business_profile[{field}]", livemode=livemode)
    if default_return_url:
        rules.check_url(default_return_url, "default_return_url", livemode=livemode)


async def _make_default(uow: UnitOfWork, ctx: Ctx, c: PortalConfiguration) -> None:
    """R10: move the default to `c`; the old default records its own `updated` event."""
    await uow.configurations.lock_defaults(ctx.scope)
    previous_ids = await uow.configurations.clear_default(ctx.scope, keep=c.id)
    c.is_default = True
    for previous_id in previous_ids:
        previous = await uow.configurations.get(ctx.scope, previous_id)
        if previous is not None:
            await uow.session.refresh(previous)
            previous.updated = ctx.now()
            after = await _render(uow, ctx, previous)
            outbox.record(uow, ctx, f"{NOUN}.updated", after, previous={"is_default": True})


async def create(uow: UnitOfWork, ctx: Ctx, params: ConfigurationCreateParams) -> PortalConfiguration:
    """Create a configuration; the first of a scope (or one sent with is_default=true) becomes the default."""
    await _require_paid_billing(uow, ctx)
    sent = _sent_tree(params)
    features = _normalise_features(_merge(default_features(), sent.get("features", {})))
    await _check_features(uow, ctx, features, sent.get("features", {}))
    profile = {k: blank(v) for k, v in sent.get("business_profile", {}).items()}
    rules.check_legal_links(profile)
    default_return_url = blank(params.default_return_url)
    _check_urls(profile, default_return_url, ctx.scope.livemode)
    now = ctx.now()
    values: dict[str, Any] = {
        "id": new_id("bpc", 24),
        "account_id": ctx.scope.account_id,
        "livemode": ctx.scope.livemode,
        "created": now,
        "updated": now,
        "active": True,
        "is_default": False,
        "name": blank(params.name),
        "business_profile": profile,
        "default_return_url": default_return_url,
        "features": features,
        "login_page_token": _new_login_token() if params.login_page and params.login_page.enabled else None,
        "metadata_": merge_metadata({}, params.metadata),
    }
    if not params.is_default and await uow.configurations.has_default(ctx.scope):
        # Not the default (a scope never loses its default once it has one, R10): nothing in this
        # use case changes the row again, so it is written at commit by one INSERT
        # (app/store/append.py), not by the ORM's flush, which cost more than the rest of the use case.
        c = uow.append(PortalConfiguration, **values)
    else:
        c = uow.configurations.add(PortalConfiguration(**values))
        await uow.flush()
        await _make_default(uow, ctx, c)
    outbox.record(uow, ctx, f"{NOUN}.created", await _render(uow, ctx, c))
    return c


def _new_login_token() -> str:
    """R7: the unguessable part of a login page URL (~190 bits)."""
    return secrets.token_urlsafe(24)


async def update(
    uow: UnitOfWork, ctx: Ctx, configuration_id: str, params: ConfigurationUpdateParams
) -> PortalConfiguration:
    """Change only what was sent; "" clears where Stripe allows it. Records `...configuration.updated`."""
    await _require_paid_billing(uow, ctx)
    # The account's lock first (lock order; a default change takes it anyway), then the row.
    await uow.configurations.lock_defaults(ctx.scope)
    c = await uow.configurations.get_for_update(ctx.scope, configuration_id)
    if c is None:
        raise ResourceMissing(NOUN, configuration_id)
    before = await _render(uow, ctx, c)
    sent = _sent_tree(params)
    rules.check_default_change(
        is_default=c.is_default,
        making_inactive=params.active is False,
        unsetting_default=params.is_default is False,
    )
    if "features" in sent:
        features = _normalise_features(_merge(_merge(default_features(), c.features or {}), sent["features"]))
        await _check_features(uow, ctx, features, sent["features"])
        c.features = features
    if "business_profile" in sent:
        profile = dict(c.business_profile or {})
        profile.update({k: blank(v) for k, v in sent["business_profile"].items()})
        rules.check_legal_links(profile)
        c.business_profile = profile
    if "default_return_url" in sent:
        c.default_return_url = blank(params.default_return_url)
    _check_urls(c.business_profile or {}, c.default_return_url, ctx.scope.livemode)
    if params.active is not None:
        c.active = params.active
    if "name" in sent:
        c.name = blank(params.name)
    if "metadata" in sent:
        c.metadata_ = merge_metadata(c.metadata_, params.metadata)
    if params.login_page is not None:
        if not params.login_page.enabled:
            c.login_page_token = None
        elif c.login_page_token is None:
            c.login_page_token = _new_login_token()
    if params.is_default and not c.is_default:
        if not c.active and params.active is not True:
            raise RuleViolation(
                "An inactive configuration cannot be the default; activate it too.",
                code="default_configuration_required",
                param="is_default",
            )
        await _make_default(uow, ctx, c)
    after = await _render(uow, ctx, c)
    changed = outbox.previous_attributes(before, after)
    if changed:
        c.updated = ctx.now()
        after["updated"] = c.updated
        outbox.record(uow, ctx, f"{NOUN}.updated", after, previous=changed)
    return c


async def list_(uow: UnitOfWork, ctx: Ctx, params: ConfigurationListParams) -> Page[PortalConfiguration]:
    """Configurations newest first, by `active` and `is_default`."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.configurations.find(ctx.scope, cursor, active=params.active, is_default=params.is_default)
