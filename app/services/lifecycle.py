"""What falls due as time passes, for one subscription or invoice, and running it: the same code
for a test clock's advance (app/services/test_clocks.py) and for real time (the billing
scheduler, app/services/scheduler.py). Everything is re-checked under the object's lock, so a
thing two workers both found due runs once."""

from __future__ import annotations

from dataclasses import dataclass

from app.context import Ctx
from app.events import outbox
from app.services import dunning, locks, test_helpers
from app.services import invoices as invoice_service
from app.services import subscriptions as subscription_service
from app.services.subscription_events import change
from app.services.subscription_events import render as render_subscription
from app.store.models import Invoice, Subscription, SubscriptionItem
from app.store.uow import UnitOfWork

# `customer.subscription.trial_will_end` comes three days before a trial ends.
TRIAL_WARNING = 3 * 86400
# An `incomplete` subscription whose first payment never succeeds expires after 23 hours.
INCOMPLETE_LIFETIME = 23 * 3600


@dataclass(frozen=True)
class Due:
    at: int
    kind: str
    subscription_id: str | None = None
    invoice_id: str | None = None


async def due_for(uow: UnitOfWork, ctx: Ctx, sub: Subscription) -> list[Due]:
    """What the subscription has coming (see `dues`), read from the database."""
    return await due_for_many(uow, ctx, [sub])


async def due_for_many(uow: UnitOfWork, ctx: Ctx, subs: list[Subscription]) -> list[Due]:
    """What the subscriptions have coming, in two queries whatever their number (a test clock's
    every step asks this of all its customers' subscriptions)."""
    items = await uow.subscription_items.for_subscriptions(ctx.scope, [s.id for s in subs])
    latest = await uow.invoices.many(ctx.scope, [s.latest_invoice for s in subs if s.latest_invoice])
    found: list[Due] = []
    for sub in subs:
        found += dues(sub, items.get(sub.id, []), latest.get(sub.latest_invoice or ""))
    return found


def dues(sub: Subscription, items: list[SubscriptionItem], latest: Invoice | None) -> list[Due]:
    """What the subscription has coming: its period end (a renewal or a trial's end), cancel_at,
    the trial warning, collection resuming, a pending update's expiry, the retry of its unpaid
    latest invoice, the expiry of an incomplete start."""
    if sub.status == "incomplete":
        return [Due(sub.created + INCOMPLETE_LIFETIME, "expire", sub.id)]
    if sub.status in subscription_service.ENDED or sub.status == "paused" or not items:
        return []
    period_end = items[0].current_period_end
    due = [Due(period_end, "renew", sub.id)]
    resumes_at = (sub.pause_collection or {}).get("resumes_at")
    if resumes_at is not None and resumes_at < period_end:
        due.append(Due(int(resumes_at), "resume_collection", sub.id))
    if sub.pending_update is not None:
        due.append(Due(int(sub.pending_update["expires_at"]), "pending_expire", sub.id))
    if sub.cancel_at is not None and sub.cancel_at < period_end:
        due.append(Due(sub.cancel_at, "cancel", sub.id))
    if sub.status == "trialing" and sub.trial_end is not None and sub.trial_warned_for != sub.trial_end:
        warning = sub.trial_end - TRIAL_WARNING
        # A trial shorter than the warning gets none (it began after the warning's time).
        if sub.trial_start is None or warning >= sub.trial_start:
            due.append(Due(warning, "trial_will_end", sub.id))
    retrying = latest is not None and latest.status == "open" and latest.next_payment_attempt is not None
    if retrying and sub.status in ("past_due", "active"):
        assert latest is not None and latest.next_payment_attempt is not None
        due.append(Due(latest.next_payment_attempt, "retry", sub.id, latest.id))
    return due


def invoice_due(invoice: Invoice) -> list[Due]:
    """What an invoice has coming: its automatic finalization, or the overdue announcement."""
    if invoice.status == "draft" and invoice.automatically_finalizes_at is not None:
        return [Due(invoice.automatically_finalizes_at, "finalize", invoice.subscription_id, invoice.id)]
    if invoice.status == "open" and invoice.due_date is not None and invoice.overdue_at is None:
        return [Due(invoice.due_date, "overdue", None, invoice.id)]
    return []


async def run(uow: UnitOfWork, ctx: Ctx, due: Due) -> bool:
    """Run `due` if it still is at `ctx.now()` once its object is locked; True when it ran."""
    now = ctx.now()
    if due.kind in ("overdue", "finalize"):
        assert due.invoice_id is not None
        invoice = await locks.invoice(uow, ctx, due.invoice_id)  # its customer and subscription first
        if not any(d.kind == due.kind and d.at <= now for d in invoice_due(invoice)):
            return False
        if due.kind == "overdue":
            await invoice_service.announce_overdue(uow, ctx, invoice.id)
        else:
            await test_helpers.finalize_due(uow, ctx, invoice.id, due.subscription_id)
        return True
    assert due.subscription_id is not None
    locked = await locks.subscription(uow, ctx, due.subscription_id)
    still = [d for d in await due_for(uow, ctx, locked) if d.kind == due.kind and d.at <= now]
    if not still:
        return False
    if due.kind == "expire":
        await test_helpers.expire_incomplete(uow, ctx, locked)
    elif due.kind == "cancel":
        await subscription_service.end_now(uow, ctx, locked, reason="cancellation_requested")
    elif due.kind == "retry":
        assert locked.latest_invoice is not None
        invoice = await locks.invoice(uow, ctx, locked.latest_invoice)
        await dunning.retry(uow, ctx, locked, invoice)
    elif due.kind == "resume_collection":
        # pause_collection's resumes_at: collection resumes then (one subscription event).
        await change(uow, ctx, locked, lambda s: s.set_pause_collection(None))
    elif due.kind == "pending_expire":
        await subscription_service.expire_pending(uow, ctx, locked)
    elif due.kind == "trial_will_end":
        locked.trial_warned_for = locked.trial_end
        outbox.record(uow, ctx, "customer.subscription.trial_will_end", await render_subscription(uow, ctx, locked))
    else:
        await test_helpers.renew(uow, ctx, locked, finalize_delay=test_helpers.FINALIZE_DELAY)
    return True
