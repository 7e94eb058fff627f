"""Loading what a use case decides on, locked for its transaction, in one order.

The rule (README, "Concurrency"): every use case that reads to decide and then writes loads the
rows it decides on through these functions, or writes conditionally (counters, throttle keys,
the delivery queue). The order is always account, test clock, customer, subscription schedule,
subscription, invoice, invoice item, payment method: a use case that needs several takes them in
that order, so two use cases can wait for each other but never in a circle (no deadlock). (A test
clock is locked only by its own advance and delete, which then lock its customers; other use cases
read a clock without locking it.)

Everything a customer owns (subscriptions, their items and schedules, invoices, attached payment
methods, the default payment method) changes only under that customer's lock, so one customer's
changes are serialized and each sees the state the previous one committed. R9 rests on that:
detaching a method, creating or updating a subscription, changing a status or deleting the
customer all take the same lock.

PostgreSQL: `SELECT ... FOR UPDATE`, and the object is read again after the lock (READ COMMITTED:
the statement after the lock sees what the previous holder committed). SQLite: every write
transaction begins with BEGIN IMMEDIATE on the one writer connection, which serializes all of
them; FOR UPDATE is not needed there and SQLAlchemy leaves it out.
"""

from __future__ import annotations

from app.context import Ctx
from app.errors import Conflict, ResourceMissing
from app.store.models import Customer, Invoice, PaymentMethod, Subscription, SubscriptionSchedule
from app.store.uow import UnitOfWork


async def customer(uow: UnitOfWork, ctx: Ctx, customer_id: str, *, param: str = "id") -> Customer:
    """A live customer, locked (404 when missing or deleted)."""
    found = await uow.customers.get_for_update(ctx.scope, customer_id)
    if found is None or found.deleted:
        raise ResourceMissing("customer", customer_id, param=param)
    await _enter_clock(uow, ctx, found)
    return found


async def owner(uow: UnitOfWork, ctx: Ctx, customer_id: str) -> Customer:
    """The owning customer of an object, locked, deleted or not (a deleted customer's invoices
    can still be voided or paid out of band)."""
    found = await uow.customers.get_for_update(ctx.scope, customer_id)
    assert found is not None, "customers are never hard-deleted"
    await _enter_clock(uow, ctx, found)
    return found


async def _enter_clock(uow: UnitOfWork, ctx: Ctx, found: Customer) -> None:
    """A customer on a test clock lives at its frozen time: so does this use case from here on
    (everything a customer owns changes under this lock, so every such change passes here)."""
    if found.test_clock_id is not None:
        clock = await uow.test_clocks.get(ctx.scope, found.test_clock_id)
        if clock is not None:
            ctx.freeze(clock.frozen_time)


async def subscription(uow: UnitOfWork, ctx: Ctx, subscription_id: str, *, param: str = "id") -> Subscription:
    """A subscription locked after its customer, read as the lock left it."""
    peeked = await uow.subscriptions.get(ctx.scope, subscription_id)
    if peeked is None:
        raise ResourceMissing("subscription", subscription_id, param=param)
    await owner(uow, ctx, peeked.customer_id)
    sub = await uow.subscriptions.get_for_update(ctx.scope, subscription_id)
    assert sub is not None, "subscriptions are never hard-deleted"
    return sub


async def schedule(uow: UnitOfWork, ctx: Ctx, schedule_id: str) -> SubscriptionSchedule:
    """A subscription schedule locked after its customer."""
    peeked = await uow.subscription_schedules.get(ctx.scope, schedule_id)
    if peeked is None:
        raise ResourceMissing("subscription_schedule", schedule_id)
    await owner(uow, ctx, peeked.customer_id)
    found = await uow.subscription_schedules.get_for_update(ctx.scope, schedule_id)
    assert found is not None
    return found


async def invoice(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> Invoice:
    """An invoice locked after its customer and its subscription."""
    peeked = await uow.invoices.get(ctx.scope, invoice_id)
    if peeked is None:
        raise ResourceMissing("invoice", invoice_id)
    await owner(uow, ctx, peeked.customer_id)
    if peeked.subscription_id is not None:
        await uow.subscriptions.get_for_update(ctx.scope, peeked.subscription_id)
    found = await uow.invoices.get_for_update(ctx.scope, invoice_id)
    assert found is not None
    return found


async def payment_method(uow: UnitOfWork, ctx: Ctx, payment_method_id: str, *, param: str = "id") -> PaymentMethod:
    """A payment method locked after the customer it is attached to (if any). A method that
    changed hands between the first read and the lock is a conflict (the retry sees its owner)."""
    peeked = await uow.payment_methods.get(ctx.scope, payment_method_id)
    if peeked is None:
        raise ResourceMissing("PaymentMethod", payment_method_id, param=param)
    holder = peeked.customer_id
    if holder is not None:
        await owner(uow, ctx, holder)
    pm = await uow.payment_methods.get_for_update(ctx.scope, payment_method_id)
    assert pm is not None
    if pm.customer_id != holder:
        raise Conflict(
            f"The payment method {payment_method_id} was attached or detached by another request meanwhile. "
            "Please retry."
        )
    return pm
