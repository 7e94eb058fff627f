"""Rule violations. Each is an InvalidRequest (400) with a stable code, defined once."""

from __future__ import annotations

from app.errors import InvalidRequest


class RuleViolation(InvalidRequest):
    """A product rule refused the request."""


class LastPaymentMethodRequired(RuleViolation):
    """R9: a customer with an active subscription keeps at least one payment method."""

    code = "payment_method_required"

    def __init__(self, payment_method_id: str) -> None:
        super().__init__(
            f"You cannot remove {payment_method_id}: it is the customer's last payment method and the customer "
            "has an active subscription that needs one. Add a new payment method first, then remove this one.",
            param="payment_method",
        )
