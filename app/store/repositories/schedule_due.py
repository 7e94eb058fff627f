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
        """Subscriptions with a period end, cancel_at, trial warning or incomplete expiry due."""
        period_over = (
            select(SubscriptionItem.pk)
            .where(
                SubscriptionItem.account_id == Subscription.account_id,
                SubscriptionItem.livemode == Subscription.livemode,
                SubscriptionItem.subscription_id == Subscription.id,
                SubscriptionItem.current_period_end <= now,
            )
            .exists()
        )
        stmt = (
            select(Subscription.account_id, Subscription.livemode, Subscription.id)
            .where(
                Subscription.status.not_in(_STILL),
                self._unclocked(Subscription.customer_id, Subscription.account_id, Subscription.livemode),  # type: ignore[arg-type]
                or_(
                    and_(Subscription.status == "incomplete", Subscription.created <= incomplete_before),
                    and_(Subscription.status != "incomplete", period_over),
                    and_(Subscription.status != "incomplete", Subscription.cancel_at <= now),
                    and_(
                        Subscription.status == "trialing",
                        Subscription.trial_end <= warn_before,
                        or_(
                            Subscription.trial_warned_for.is_(None),
                            Subscription.trial_warned_for != Subscription.trial_end,
                        ),
                    ),
                ),
            )
            .order_by(Subscription.pk)
            .limit(limit)
        )
        if accounts is not None:
            stmt = stmt.where(Subscription.account_id.in_(accounts))
        return [Candidate(a, m, s, None) for a, m, s in (await self.session.execute(stmt)).all()]

    async def invoices(self, now: int, limit: int, *, accounts: list[str] | None = None) -> list[Candidate]:
        """Drafts to finalize, retries due, and open invoices past their due date not yet announced."""
        stmt = (
            select(Invoice.account_id, Invoice.livemode, Invoice.subscription_id, Invoice.id)
            .where(
                self._unclocked(Invoice.customer_id, Invoice.account_id, Invoice.livemode),  # type: ignore[arg-type]
                or_(
                    and_(Invoice.status == "draft", Invoice.automatically_finalizes_at <= now),
                    and_(Invoice.status == "open", Invoice.next_payment_attempt <= now),
                    and_(Invoice.status == "open", Invoice.due_date <= now, Invoice.overdue_at.is_(None)),
                ),
            )
            .order_by(Invoice.pk)
            .limit(limit)
        )
        if accounts is not None:
            stmt = stmt.where(Invoice.account_id.in_(accounts))
        return [Candidate(a, m, s, i) for a, m, s, i in (await self.session.execute(stmt)).all()]
