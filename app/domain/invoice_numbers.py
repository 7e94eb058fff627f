"""Invoice numbers: PREFIX-0001, PREFIX-0002, ... per customer prefix, Stripe's default sequencing."""

from __future__ import annotations

import hashlib

# The counter a prefix's numbers come from is named NUMBER_COUNTER + prefix (shared by the
# customers of one prefix, so numbers stay unique when two customers' prefixes are the same).
NUMBER_COUNTER = "invoice_number:"


def derived_prefix(customer_id: str) -> str:
    """Stable per customer, as Stripe's is: derived from the id."""
    return hashlib.sha256(customer_id.encode()).hexdigest()[:8].upper()


def invoice_prefix(customer_id: str, chosen: str | None = None) -> str:
    """The merchant's choice, else the one derived from the id."""
    return chosen or derived_prefix(customer_id)


def number_counter(customer_id: str, chosen_prefix: str | None) -> str:
    """The counter a customer's invoice numbers come from."""
    return f"{NUMBER_COUNTER}{invoice_prefix(customer_id, chosen_prefix)}"
