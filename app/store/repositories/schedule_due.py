"""What the billing scheduler finds due across accounts: the one place that reads every account's
rows at once (like the webhook delivery worker), because time passes for all of them. Objects of
customers on a test clock are left to their clock. Each row found is only a candidate: the use
case locks it and checks again that it is due (two workers may find the same one)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import and_, or_, select
from sqlalchemy.ext.asyncio import AsyncSession

from app.store.models import Customer, Invoice, Subscription, SubscriptionItem

# Not moved by time: ended, or waiting for the customer (paused after a trial).
_STILL = ("canceled", "incomplete_expired", "paused")


@dataclass(frozen=True)
class Candidate:
    account_id: str
    livemode: bool
    subscription_id: str | None
    invoice_id: str | None


class ScheduleDueRepository:
    def __init__(self, session: AsyncSession) -> None:
        self.session = session

    def _unclocked(self, customer_id: object, account_id: object, livemode: object) -> object:
        return (
            select(Customer.pk)
            .where(
                Customer.id == customer_id,
                Customer.account_id == account_id,
                Customer.livemode == livemode,
                Customer.test_clock_id.is_(None),
            )
            .exists()
        )

    async def subscriptions(
        self, now: int, limit: int, *, incomplete_before: int, warn_before: int, accounts: list[str] | None = None
    ) -> list[Candidate]:
        """Subscriptions with a period end, cancel_at, trial warning or incomplete expiry due: four
        queries, each on its own index, so a round costs what is due, not the table's size."""
        moving = Subscription.status.not_in(_STILL)
        period_over = (
            select(Subscription.pk, Subscription.account_id, Subscription.livemode, Subscription.id)
            .join(
                SubscriptionItem,
                and_(
                    SubscriptionItem.account_id == Subscription.account_id,
                    SubscriptionItem.livemode == Subscription.livemode,
                    SubscriptionItem.subscription_id == Subscription.id,
                ),
            )
            .where(SubscriptionItem.current_period_end <= now, moving, Subscription.status != "incomplete")
        )
        canceling = select(Subscription.pk, Subscription.account_id, Subscription.livemode, Subscription.id).where(
            Subscription.cancel_at <= now, moving, Subscription.status != "incomplete"
        )
        expiring = select(Subscription.pk, Subscription.account_id, Subscription.livemode, Subscription.id).where(
            Subscription.status == "incomplete", Subscription.created <= incomplete_before
        )
        warning = select(Subscription.pk, Subscription.account_id, Subscription.livemode, Subscription.id).where(
            Subscription.status == "trialing",
            Subscription.trial_end <= warn_before,
            or_(Subscription.trial_warned_for.is_(None), Subscription.trial_warned_for != Subscription.trial_end),
        )
        pending = select(Subscription.pk, Subscription.account_id, Subscription.livemode, Subscription.id).where(
            Subscription.pending_expires_at <= now
        )
        resuming = select(Subscription.pk, Subscription.account_id, Subscription.livemode, Subscription.id).where(
            Subscription.pause_resumes_at <= now, moving
        )
        found: dict[int, Candidate] = {}
        for stmt in (period_over, canceling, expiring, warning, pending, resuming):
            stmt = stmt.where(
                self._unclocked(Subscription.customer_id, Subscription.account_id, Subscription.livemode)  # type: ignore[arg-type]
            )
            if accounts is not None:
                stmt = stmt.where(Subscription.account_id.in_(accounts))
            for pk, account_id, livemode, sub_id in (await self.session.execute(stmt.limit(limit))).all():
                found[pk] = Candidate(account_id, livemode, sub_id, None)
        return [found[pk] for pk in sorted(found)][:limit]

    async def invoices(self, now: int, limit: int, *, accounts: list[str] | None = None) -> list[Candidate]:
        """Drafts to finalize, retries due, and open invoices past their due date not yet announced
        (each on its own index)."""
        columns = (Invoice.pk, Invoice.account_id, Invoice.livemode, Invoice.subscription_id, Invoice.id)
        finalizing = select(*columns).where(Invoice.automatically_finalizes_at <= now, Invoice.status == "draft")
        retrying = select(*columns).where(Invoice.next_payment_attempt <= now, Invoice.status == "open")
        overdue = select(*columns).where(
            Invoice.overdue_at.is_(None), Invoice.due_date <= now, Invoice.status == "open"
        )
        found: dict[int, Candidate] = {}
        for stmt in (finalizing, retrying, overdue):
            stmt = stmt.where(self._unclocked(Invoice.customer_id, Invoice.account_id, Invoice.livemode))  # type: ignore[arg-type]
            if accounts is not None:
                stmt = stmt.where(Invoice.account_id.in_(accounts))
            for pk, account_id, livemode, sub_id, invoice_id in (await self.session.execute(stmt.limit(limit))).all():
                found[pk] = Candidate(account_id, livemode, sub_id, invoice_id)
        return [found[pk] for pk in sorted(found)][:limit]
