"""Who is acting in the portal, and what every portal use case looks up first."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from app.context import Ctx
from app.domain.errors import RuleViolation
from app.domain.subscription_updatability import Assessment
from app.errors import ResourceMissing
from app.services import customers as customer_service
from app.services import locks, updatability
from app.store.models import Account, Customer, PortalConfiguration, PortalSession, Subscription
from app.store.uow import UnitOfWork

# Subscriptions that have ended are not shown, and offer nothing.
HIDDEN_STATUSES = ("canceled", "incomplete_expired")


@dataclass(frozen=True)
class Seen:
    """What the visit's own read found beside it (the store's fast path reads them in the same
    statement), so the request's use case need not read them again. A portal action never changes
    the configuration or the account; the customer it may change, so after an action the customer
    is read again (`Visitor.after_change`)."""

    configuration: PortalConfiguration
    account: Account | None
    customer: Customer | None  # None also when deleted: `customer()` then refuses as it always did


@dataclass(frozen=True)
class Visitor:
    """The signed-in customer and the session they came through."""

    ctx: Ctx
    customer_id: str
    session: PortalSession
    # A deep-link session (flow_data) allows only its flow's actions until the flow is done.
    flow_done: bool = False
    seen: Seen | None = None

    def after_change(self) -> Visitor:
        """This visitor for reads after an action of this request (which may have changed the customer)."""
        if self.seen is None or self.seen.customer is None:
            return self
        return replace(self, seen=replace(self.seen, customer=None))


async def configuration(uow: UnitOfWork, v: Visitor) -> PortalConfiguration:
    if v.seen is not None:
        return v.seen.configuration
    found = await uow.configurations.get(v.ctx.scope, v.session.configuration_id)
    if found is None:
        raise ResourceMissing("billing_portal.configuration", v.session.configuration_id)
    return found


async def customer(uow: UnitOfWork, v: Visitor) -> Customer:
    """The visitor's customer, read in this unit of work (a use case that changes it needs its own instance)."""
    return await customer_service.get(uow, v.ctx, v.customer_id)


async def shown_customer(uow: UnitOfWork, v: Visitor) -> Customer:
    """The visitor's customer for showing: what the visit's read found, if it did."""
    if v.seen is not None and v.seen.customer is not None:
        return v.seen.customer
    return await customer(uow, v)


async def shown_account(uow: UnitOfWork, v: Visitor) -> Account | None:
    if v.seen is not None:
        return v.seen.account
    return await uow.accounts.get(v.ctx.scope.account_id)


async def own_subscription(uow: UnitOfWork, v: Visitor, subscription_id: str) -> Subscription:
    """The visitor's subscription, locked (after the visitor's customer) for the action."""
    peeked = await uow.subscriptions.get(v.ctx.scope, subscription_id)
    if peeked is None or peeked.customer_id != v.customer_id:
        # Another customer's id looks exactly like a made-up one.
        raise ResourceMissing("subscription", subscription_id)
    return await locks.subscription(uow, v.ctx, subscription_id)


def feature(config: PortalConfiguration, name: str) -> dict[str, Any]:
    found: dict[str, Any] = (config.features or {}).get(name) or {}
    return found


def refuse(code: str, message: str, param: str | None = None) -> RuleViolation:
    return RuleViolation(message, code=code, param=param)


async def assessment(uow: UnitOfWork, v: Visitor, config: PortalConfiguration, sub: Subscription) -> Assessment:
    return (await updatability.assess(uow, v.ctx.scope, config, [sub]))[sub.id]
