"""Retrying a subscription's failed renewal payment, and the account's end when the tries run out
(app.domain.revenue_recovery): the subscription is canceled, marked unpaid, or left past due."""

from __future__ import annotations

from app.context import Ctx
from app.domain.revenue_recovery import AfterRetries, RetryPolicy
from app.services import invoices as invoice_service
from app.services import subscriptions as subscription_service
from app.services.subscription_events import change
from app.store.models import Invoice, Subscription
from app.store.uow import UnitOfWork


async def retry(uow: UnitOfWork, ctx: Ctx, sub: Subscription, invoice: Invoice) -> None:
    """The due retry of the subscription's open invoice (both locked by the caller)."""
    if await invoice_service.retry(uow, ctx, invoice) or invoice.next_payment_attempt is not None:
        return
    account = await uow.accounts.get(ctx.scope.account_id)
    policy = RetryPolicy.of(((account.settings if account else None) or {}).get("revenue_recovery"))
    if policy.after == AfterRetries.CANCEL:
        await subscription_service.end_now(uow, ctx, sub, reason="payment_failed")
    elif policy.after == AfterRetries.MARK_UNPAID:
        await change(uow, ctx, sub, lambda s: setattr(s, "status", "unpaid"))
