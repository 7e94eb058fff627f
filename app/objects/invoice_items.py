"""The `invoiceitem` object."""

from __future__ import annotations

from typing import Any

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import InvoiceItem
from app.store.uow import UnitOfWork


def render_invoice_item(item: InvoiceItem) -> dict[str, Any]:
    if item.deleted:
        return {"id": item.id, "object": "invoiceitem", "deleted": True}
    return {
        "id": item.id,
        "object": "invoiceitem",
        "amount": item.amount,
        "currency": item.currency,
        "customer": item.customer_id,
        "customer_account": None,
        "date": item.date,
        "description": item.description,
        "discountable": item.discountable,
        "discounts": list(item.discounts or []),
        "invoice": item.invoice_id,
        "livemode": item.livemode,
        "metadata": dict(item.metadata_ or {}),
        "net_amount": item.amount,
        "parent": (
            {
                "subscription_details": {
                    "subscription": item.subscription_id,
                    "subscription_item": item.subscription_item_id,
                },
                "type": "subscription_details",
            }
            if item.subscription_id
            else None
        ),
        "period": {"end": item.period_end, "start": item.period_start},
        "pricing": (
            {
                "price_details": {"price": item.price_id, "product": item.product_id},
                "type": "price_details",
                "unit_amount_decimal": None if item.unit_amount is None else str(item.unit_amount),
            }
            if item.price_id
            else {
                "price_details": None,
                "type": "price_details",
                "unit_amount_decimal": str(item.amount // max(item.quantity, 1)),
            }
        ),
        "proration": item.proration,
        "quantity": item.quantity,
        "quantity_decimal": str(item.quantity),
        "tax_rates": [],
        "test_clock": None,
    }


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> InvoiceItem | None:
    return await uow.invoice_items.get(scope, object_id)


INVOICE_ITEM = register(
    ObjectType(
        name="invoiceitem",
        model=InvoiceItem,
        render_many=simple(render_invoice_item),
        loader=_load,
        expandable={
            "customer": "customer",
            "invoice": "invoice",
            "discounts": "discount",
            "pricing.price_details.price": "price",
            "test_clock": "test_helpers.test_clock",
        },
    )
)
