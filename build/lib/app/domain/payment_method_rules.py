"""R9: while a customer has an active subscription (active, trialing, past_due), the last payment
method cannot be removed; to change method, add the new one first, then remove the old one.
"""

from __future__ import annotations

from app.domain.errors import LastPaymentMethodRequired

ACTIVE_SUBSCRIPTION_STATUSES = frozenset({"active", "trialing", "past_due"})


def check_detach(payment_method_id: str, *, attached_count: int, has_active_subscription: bool) -> None:
    """Refuse removing the last payment method of a customer with an active subscription."""
    if has_active_subscription and attached_count <= 1:
        raise LastPaymentMethodRequired(payment_method_id)


def next_default(current_default: str | None, removed: str, remaining_newest_first: list[str]) -> str | None:
    """The customer's default after `removed` is gone: unchanged, or the newest remaining method."""
    if current_default != removed:
        return current_default
    return remaining_newest_first[0] if remaining_newest_first else None
