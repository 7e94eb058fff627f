"""Portal session use cases: create a session (R1, R6, R10, R19, flows with R4), open its URL once."""

from __future__ import annotations

import hashlib
import secrets
from typing import Any

from app.context import Ctx
from app.domain import configuration_rules as rules
from app.domain.errors import RuleViolation
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.discounts import coupon_valid
from app.objects.sessions import render_sessions
from app.params.sessions import FlowData, SessionCreateParams
from app.services import discounts as discount_service
from app.services import updatability
from app.store.models import PortalConfiguration, PortalSession
from app.store.uow import UnitOfWork

UNVISITED_LIFETIME = 5 * 60  # Stripe: "New portal sessions expire after a 5 minute period."


def hash_secret(secret: str) -> str:
    return hashlib.sha256(secret.encode()).hexdigest()


def _check_configuration(
    configuration: PortalConfiguration | None, configuration_id: str | None
) -> PortalConfiguration:
    if configuration is None and configuration_id is None:
        # R10: without one, the session uses the default configuration.
        raise InvalidRequest(
            "No configuration provided and your default configuration has not been created. Create a portal "
            "configuration first (POST /v1/billing_portal/configurations).",
            code="portal_configuration_missing",
            param="configuration",
        )
    if configuration is None:
        raise ResourceMissing("billing_portal.configuration", configuration_id or "", param="configuration")
    if not configuration.active:
        raise InvalidRequest(
            f"The configuration {configuration.id} is not active; activate it or pass another one.",
            code="portal_configuration_inactive",
            param="configuration",
        )
    return configuration


def _feature(configuration: PortalConfiguration, name: str) -> dict[str, Any]:
    feature: dict[str, Any] = (configuration.features or {}).get(name) or {}
    return feature


def _require_feature(configuration: PortalConfiguration, name: str, flow: str) -> None:
    if not _feature(configuration, name).get("enabled"):
        raise InvalidRequest(
            f"The `{flow}` flow needs features[{name}][enabled]=true in the configuration {configuration.id}.",
            code="portal_feature_disabled",
            param="flow_data[type]",
        )


async def _flow(
    uow: UnitOfWork, ctx: Ctx, flow: FlowData, customer_id: str, configuration: PortalConfiguration
) -> dict[str, Any]:
    """Validate flow_data and return the session's `flow` object."""
    kind = flow.type
    branch = getattr(flow, kind, None) if kind not in ("payment_method_update", "customer_update") else None
    if kind not in ("payment_method_update", "customer_update") and branch is None:
        raise InvalidRequest(
            f"Missing required param: flow_data[{kind}].", code="parameter_missing", param=f"flow_data[{kind}]"
        )
    body: dict[str, Any] = {
        "type": kind,
        "subscription_cancel": None,
        "subscription_update": None,
        "subscription_update_confirm": None,
    }
    if kind == "payment_method_update":
        _require_feature(configuration, "payment_method_update", kind)
    elif kind == "customer_update":
        _require_feature(configuration, "customer_update", kind)
        body["customer_update"] = {}
    else:
        sub_param = f"flow_data[{kind}][subscription]"
        sub = await uow.subscriptions.get(ctx.scope, branch.subscription)  # type: ignore[union-attr]
        if sub is None or sub.customer_id != customer_id:
            raise ResourceMissing("subscription", branch.subscription, param=sub_param)  # type: ignore[union-attr]
        assessment = (await updatability.assess(uow, ctx.scope, configuration, [sub]))[sub.id]
        if kind == "subscription_cancel":
            _require_feature(configuration, "subscription_cancel", kind)
            if not assessment.can_cancel:
                reasons = ", ".join(assessment.codes) or sub.status
                raise RuleViolation(
                    f"The subscription {sub.id} cannot be canceled in the portal ({reasons}).",
                    code="subscription_not_cancelable",
                    param=sub_param,
                )
            retention = flow.subscription_cancel.retention if flow.subscription_cancel else None
            offer = None
            if retention is not None:
                # The cancel flow offers this coupon before the customer cancels (Stripe's retention).
                coupon_param = "flow_data[subscription_cancel][retention][coupon_offer][coupon]"
                coupon = await discount_service.get_coupon(uow, ctx, retention.coupon_offer.coupon, param=coupon_param)
                if not coupon_valid(coupon, ctx.now()):
                    raise InvalidRequest(f"The coupon {coupon.id} can no longer be redeemed.", param=coupon_param)
                offer = {"coupon_offer": {"coupon": coupon.id}, "type": "coupon_offer"}
            body["subscription_cancel"] = {"retention": offer, "subscription": sub.id}
        else:
            _require_feature(configuration, "subscription_update", kind)
            if not assessment.can_update:
                # R4: say why the subscription cannot be updated.
                raise RuleViolation(
                    f"The subscription {sub.id} cannot be updated in the portal: "
                    + "; ".join(f"{limit.code}: {limit.message}" for limit in assessment.limitations),
                    code=assessment.codes[0] if assessment.codes else "subscription_not_updatable",
                    param=sub_param,
                )
            if kind == "subscription_update":
                body["subscription_update"] = {"subscription": sub.id}
            else:
                body["subscription_update_confirm"] = await _confirm(uow, ctx, flow, sub.id, configuration)
    body["after_completion"] = _after_completion(flow, ctx)
    return body


async def _confirm(
    uow: UnitOfWork, ctx: Ctx, flow: FlowData, subscription_id: str, configuration: PortalConfiguration
) -> dict[str, Any]:
    confirm = flow.subscription_update_confirm
    assert confirm is not None
    base = "flow_data[subscription_update_confirm]"
    if len(confirm.items) != 1:
        raise InvalidRequest("Currently only one item may be specified.", param=f"{base}[items]")
    discounts = []
    for i, d in enumerate(confirm.discounts or []):
        param = f"{base}[discounts][{i}]"
        if (d.coupon is None) == (d.promotion_code is None):
            raise InvalidRequest("Each discount takes a coupon or a promotion_code.", param=param)
        if d.coupon is not None:
            await discount_service.get_coupon(uow, ctx, d.coupon, param=f"{param}[coupon]")
        else:
            assert d.promotion_code is not None
            await discount_service.get_promotion_code(uow, ctx, d.promotion_code, param=f"{param}[promotion_code]")
        discounts.append({"coupon": d.coupon, "promotion_code": d.promotion_code})
    item = confirm.items[0]
    items = (await uow.subscription_items.for_subscriptions(ctx.scope, [subscription_id]))[subscription_id]
    if item.id not in {i.id for i in items}:
        raise InvalidRequest(f"The item {item.id} is not part of {subscription_id}.", param=f"{base}[items][0][id]")
    if item.price is not None and item.price not in updatability.offered_prices(configuration):
        raise InvalidRequest(
            f"The price {item.price} is not among the configuration's features[subscription_update][products].",
            code="price_not_in_configuration",
            param=f"{base}[items][0][price]",
        )
    rendered: dict[str, Any] = {"id": item.id, "price": item.price}
    if item.quantity is not None:
        rendered["quantity"] = item.quantity
    return {"discounts": discounts or None, "items": [rendered], "subscription": subscription_id}


def _after_completion(flow: FlowData, ctx: Ctx) -> dict[str, Any]:
    after = flow.after_completion
    kind = after.type if after else "portal_homepage"
    body: dict[str, Any] = {"hosted_confirmation": None, "redirect": None, "type": kind}
    if kind == "redirect":
        if after is None or after.redirect is None:
            raise InvalidRequest(
                "Missing required param: flow_data[after_completion][redirect].",
                code="parameter_missing",
                param="flow_data[after_completion][redirect]",
            )
        url = rules.check_url(
            after.redirect.return_url, "flow_data[after_completion][redirect][return_url]", livemode=ctx.scope.livemode
        )
        body["redirect"] = {"return_url": url}
    elif kind == "hosted_confirmation":
        message = after.hosted_confirmation.custom_message if after and after.hosted_confirmation else None
        body["hosted_confirmation"] = {"custom_message": message}
    return body


async def create(uow: UnitOfWork, ctx: Ctx, params: SessionCreateParams) -> PortalSession:
    """Create a session for one customer; its `url` is shown once and opens the portal once (R1)."""
    if params.customer_account is not None:
        raise InvalidRequest(
            "customer_account (Accounts v2) is not supported by this service; pass `customer`.",
            code="feature_not_supported",
            param="customer_account",
        )
    if params.customer is None:
        raise InvalidRequest("Missing required param: customer.", code="parameter_missing", param="customer")
    found = await uow.portal_sessions.starting_point(ctx.scope, params.customer, params.configuration)
    account = found.account
    if account is not None:
        uow.accounts.remember(account)
    rules.check_paid_billing(livemode=ctx.scope.livemode, billing_enabled=bool(account and account.billing_enabled))
    if found.customer_deleted is not False:
        raise ResourceMissing("customer", params.customer, param="customer")
    configuration = _check_configuration(found.configuration, params.configuration)
    return_url = params.return_url or configuration.default_return_url
    if return_url is None:
        # R6: a return URL, the session's own or the configuration's default.
        raise RuleViolation(
            "Missing required param: return_url. Pass one, or set default_return_url on the configuration "
            f"{configuration.id}.",
            code="parameter_missing",
            param="return_url",
        )
    rules.check_url(return_url, "return_url", livemode=ctx.scope.livemode)
    flow = await _flow(uow, ctx, params.flow_data, params.customer, configuration) if params.flow_data else None
    return await start(
        uow,
        ctx,
        customer_id=params.customer,
        configuration=configuration,
        return_url=return_url,
        locale=params.locale,
        on_behalf_of=params.on_behalf_of,
        flow=flow,
        after_expiration=_after_expiration(params, ctx),
    )


def _after_expiration(params: SessionCreateParams, ctx: Ctx) -> dict[str, Any] | None:
    """Stripe's session recovery: after the session expires, the customer signs in again (here:
    through the configuration's login page, when it is on) until `expires_at`, if given."""
    after = params.after_expiration
    if after is None:
        return None
    deadline = after.customer_login.expires_at if after.customer_login else None
    if deadline is not None and deadline <= ctx.now():
        raise InvalidRequest(
            "after_expiration[customer_login][expires_at] must be in the future.",
            code="parameter_invalid_integer",
            param="after_expiration[customer_login][expires_at]",
        )
    return {"customer_login": {"expires_at": deadline}, "type": after.type}


async def start(
    uow: UnitOfWork,
    ctx: Ctx,
    *,
    customer_id: str,
    configuration: PortalConfiguration,
    return_url: str | None,
    locale: str | None = None,
    on_behalf_of: str | None = None,
    flow: dict[str, Any] | None = None,
    opened_at: int | None = None,
    after_expiration: dict[str, Any] | None = None,
) -> PortalSession:
    """Store a session with a fresh secret and record `billing_portal.session.created`. A session
    the customer is signed in to at once (R7's login page) is stored as opened (R1: used once);
    the row is written at commit, so a change to the returned instance would not be."""
    secret = f"{'live' if ctx.scope.livemode else 'test'}_{secrets.token_urlsafe(32)}"
    now = ctx.now()
    session = uow.append(
        PortalSession,
        id=new_id("bps", 24),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=now,
        customer_id=customer_id,
        configuration_id=configuration.id,
        return_url=return_url,
        locale=locale,
        on_behalf_of=on_behalf_of,
        flow=flow,
        after_expiration=after_expiration,
        secret_hash=hash_secret(secret),
        expires_at=now + UNVISITED_LIFETIME,
        opened_at=opened_at,
    )
    session.secret = secret  # type: ignore[attr-defined]  # transient: rendered into `url` this once
    outbox.record(uow, ctx, "billing_portal.session.created", (await render_sessions(uow, ctx.scope, [session]))[0])
    return session
