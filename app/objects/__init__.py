"""Stripe objects: how stored models are rendered on the wire. Importing this registers them all."""

from app.objects import (  # noqa: F401  (registration)
    accounts,
    balance_transactions,
    configurations,
    customers,
    discounts,
    events,
    invoice_items,
    invoices,
    payment_methods,
    products,
    sessions,
    subscriptions,
    tax_ids,
    test_clocks,
    webhooks,
)
from app.objects.registry import check_expand, render, render_list, type_of

__all__ = ["check_expand", "render", "render_list", "type_of"]
