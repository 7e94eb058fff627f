"""Test-mode helpers that move a subscription through time and states, so every state the portal
rules name can be reached through the API (Stripe uses test clocks for this; these are simpler).
"""

from __future__ import annotations

from app.context import Ctx
from app.domain import pause as pause_rules
from app.domain.periods import Interval, Period, period_at
from app.errors import InvalidRequest
from app.objects.subscriptions import load_items
from app.services import invoices as invoice_service
from app.services import locks
from app.services import schedules as schedule_service
from app.services import subscription_changes as changes
from app.services import subscriptions as subscription_service
from app.services.common import require_test_mode
from app.services.subscription_events import change
from app.store.models import Subscription
from app.store.uow import UnitOfWork

_ALLOWED = {
    "past_due": {"active", "trialing", "past_due", "unpaid"},
    "unpaid": {"active", "trialing", "past_due", "unpaid"},
    "incomplete_expired": {"incomplete"},
    "active": {"past_due", "unpaid", "incomplete", "active"},
}


async def set_status(uow: UnitOfWork, ctx: Ctx, subscription_id: str, status: str) -> Subscription:
    """Move a test-mode subscription to past_due, unpaid, incomplete_expired (or back to active)."""
    require_test_mode(ctx, "Test helpers")
    sub = await locks.subscription(uow, ctx, subscription_id)
    if sub.status not in _ALLOWED[status]:
        raise InvalidRequest(
            f"A subscription cannot move from `{sub.status}` to `{status}`.",
            code="invalid_status_transition",
            param="status",
        )
    if (
        status == "active"
        and sub.collection_method == "charge_automatically"
        and await invoice_service.method_to_charge(uow, ctx, sub.customer_id, sub) is None
    ):
        # Becoming active means a payment went through; without a method to charge, none could (R9).
        raise InvalidRequest(
            "The subscription cannot become active: its customer has no payment method to charge.",
            code="payment_method_required",
            param="status",
        )

    def apply(s: Subscription) -> None:
        s.status = status
        if status == "incomplete_expired":
            s.ended_at = ctx.now()

    return await change(uow, ctx, sub, apply)


async def advance(uow: UnitOfWork, ctx: Ctx, subscription_id: str, periods: int) -> Subscription:
    """Renew a test-mode subscription `periods` times as if its period ends had passed."""
    require_test_mode(ctx, "Test helpers")
    sub = await locks.subscription(uow, ctx, subscription_id)
    if sub.status in subscription_service.ENDED or sub.status in ("incomplete", "paused"):
        raise InvalidRequest(
            f"A `{sub.status}` subscription has no period to advance.", code="invalid_status_transition"
        )
    for _ in range(periods):
        if sub.status in subscription_service.ENDED:
            break
        await renew(uow, ctx, sub)
    return sub


async def expire_incomplete(uow: UnitOfWork, ctx: Ctx, sub: Subscription) -> None:
    """An `incomplete` subscription whose first payment never came: `incomplete_expired`, and its
    open first invoice voided (as Stripe does after 23 hours)."""
    if sub.latest_invoice is not None:
        invoice = await uow.invoices.get_for_update(ctx.scope, sub.latest_invoice)
        if invoice is not None and invoice.status == "open":
            await invoice_service.void(uow, ctx, invoice.id)

    def apply(s: Subscription) -> None:
        s.status, s.ended_at = "incomplete_expired", ctx.now()

    await change(uow, ctx, sub, apply)


# A renewal invoice is a draft for an hour before it is finalized and collected (Stripe's
# https://docs.stripe.com/billing/subscriptions/overview#subscription-lifecycle): time for the
# merchant to add items to it. The older advance shortcut finalizes at once.
FINALIZE_DELAY = 3600


async def renew(uow: UnitOfWork, ctx: Ctx, sub: Subscription, *, finalize_delay: int = 0) -> None:
    """One period end of a (locked) subscription: the trial ends or it renews, as due then. The
    renewal invoice is collected at once, or (`finalize_delay`) finalized that long after."""
    items_by_sub, prices = await load_items(uow, ctx.scope, [sub])
    items = items_by_sub.get(sub.id, [])
    start = items[0].current_period_end
    if sub.cancel_at is not None and sub.cancel_at <= start:
        await subscription_service.end_now(uow, ctx, sub, reason="cancellation_requested")
        return
    ending_trial = sub.status == "trialing"
    no_method = await invoice_service.method_to_charge(uow, ctx, sub.customer_id, sub) is None
    behaviour = (sub.trial_settings or {}).get("missing_payment_method", "create_invoice")
    if ending_trial and no_method and sub.collection_method == "charge_automatically" and behaviour == "cancel":
        await subscription_service.end_now(uow, ctx, sub, reason="payment_failed")
        return

    async def apply(s: Subscription) -> None:
        if ending_trial:
            s.trial_end = start
        if ending_trial and no_method and s.collection_method == "charge_automatically" and behaviour == "pause":
            # Stripe's `paused` status: the trial ended without a way to pay; resume starts a new period.
            s.status = "paused"
            return
        # The next period counts from the billing cycle anchor (Jan 31, Feb 29, Mar 31, ...).
        ended = Period(items[0].current_period_start, start)
        if ending_trial:
            s.billing_cycle_anchor = start
        # A scheduled change (a downgrade the portal kept for the period's end) starts now.
        await schedule_service.start_due_phase(uow, ctx, s, start)
        await uow.flush()
        fresh, fresh_prices = await load_items(uow, ctx.scope, [s])
        before = Interval.of(prices[items[0].price_id].recurring) if items[0].price_id in prices else None
        items[:] = fresh.get(s.id, [])
        if before != Interval.of(fresh_prices[items[0].price_id].recurring):
            s.billing_cycle_anchor = start  # a new interval starts its own cycle
        period = period_at(s.billing_cycle_anchor, Interval.of(fresh_prices[items[0].price_id].recurring), start)
        for item in items:
            item.current_period_start, item.current_period_end = period.start, period.end
        if pause_rules.resumes_by(s.pause_collection, start):
            s.set_pause_collection(None)
        await uow.flush()
        invoice = await invoice_service.for_subscription(
            uow,
            ctx,
            s,
            await changes.cycle_lines(uow, ctx, items, period),
            period=ended,
            reason="subscription_cycle",
        )
        if finalize_delay:
            # An hour after the period ended (a scheduler catching up finalizes it in the same pass).
            invoice.automatically_finalizes_at = start + finalize_delay
            if ending_trial:
                s.status = "active"
            return
        _settled(s, await invoice_service.collect(uow, ctx, invoice, s), ending_trial=ending_trial)

    await change(uow, ctx, sub, apply)


def _settled(s: Subscription, paid: bool, *, ending_trial: bool = False) -> None:
    """The status a collected renewal leaves: paused collection and send_invoice leave it alone;
    a failed charge makes it past_due. An ended subscription stays ended (its last renewal may be
    finalized after it was canceled)."""
    if s.status in subscription_service.ENDED:
        return
    if paid:
        s.status = "active"
    elif s.pause_collection is None and s.collection_method == "charge_automatically":
        s.status = "past_due"
    elif ending_trial:
        s.status = "active"


async def finalize_due(uow: UnitOfWork, ctx: Ctx, invoice_id: str, subscription_id: str | None) -> None:
    """A draft whose `automatically_finalizes_at` has come: finalized and collected (its
    subscription's status follows the payment, in one subscription event)."""
    if subscription_id is None:
        invoice = await locks.invoice(uow, ctx, invoice_id)
        if invoice.status == "draft" and invoice.automatically_finalizes_at is not None:
            await invoice_service.collect(uow, ctx, invoice, None)
        return
    sub = await locks.subscription(uow, ctx, subscription_id)
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status != "draft" or invoice.automatically_finalizes_at is None:
        return

    async def apply(s: Subscription) -> None:
        _settled(s, await invoice_service.collect(uow, ctx, invoice, s))

    await change(uow, ctx, sub, apply)
