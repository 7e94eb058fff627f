"""The `customer` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.domain.invoice_numbers import invoice_prefix, number_counter
from app.objects.registry import ObjectType, register
from app.scope import Scope
from app.store.models import Customer
from app.store.uow import UnitOfWork


class CustomerAddress(BaseModel):
    city: str | None = None
    country: str | None = None
    line1: str | None = None
    line2: str | None = None
    postal_code: str | None = None
    state: str | None = None


class CustomerShipping(BaseModel):
    address: CustomerAddress
    name: str
    phone: str | None = None


class CustomerInvoiceSettings(BaseModel):
    custom_fields: None
    default_payment_method: str | dict[str, Any] | None
    footer: str | None
    rendering_options: None


class CustomerObject(BaseModel):
    """A customer; when deleted only `id`, `object` and `deleted` are present."""

    id: str
    object: Literal["customer"]
    deleted: bool | None = None
    address: CustomerAddress | None = None
    balance: int | None = None
    business_name: str | None = None
    individual_name: str | None = None
    created: int | None = None
    currency: str | None = None
    default_source: None = None
    delinquent: bool | None = None
    description: str | None = None
    discount: dict[str, Any] | None = None
    email: str | None = None
    invoice_prefix: str | None = None
    invoice_settings: CustomerInvoiceSettings | None = None
    livemode: bool | None = None
    metadata: dict[str, str] | None = None
    name: str | None = None
    next_invoice_sequence: int | None = None
    phone: str | None = None
    preferred_locales: list[str] | None = None
    shipping: CustomerShipping | None = None
    tax_exempt: Literal["none", "exempt", "reverse"] | None = None
    test_clock: str | dict[str, Any] | None = None


ADDRESS_FIELDS = ("city", "country", "line1", "line2", "postal_code", "state")


def full_address(address: dict[str, Any] | None) -> dict[str, Any] | None:
    """An address as Stripe sends it: every part present, unset ones null."""
    if address is None:
        return None
    return {k: address.get(k) for k in ADDRESS_FIELDS}


def full_shipping(shipping: dict[str, Any] | None) -> dict[str, Any] | None:
    if shipping is None:
        return None
    return {
        "address": full_address(shipping.get("address") or {}),
        "carrier": shipping.get("carrier"),
        "name": shipping.get("name"),
        "phone": shipping.get("phone"),
        "tracking_number": shipping.get("tracking_number"),
    }


def render_customer(c: Customer, discount: dict[str, Any] | None = None, next_sequence: int = 1) -> dict[str, Any]:
    if c.deleted:
        return {"id": c.id, "object": "customer", "deleted": True}
    settings = c.invoice_settings or {}
    body = {
        "id": c.id,
        "object": "customer",
        "address": full_address(c.address),
        "balance": c.balance,
        "created": c.created,
        "currency": c.currency,
        "default_source": None,
        "delinquent": False,
        "description": c.description,
        "discount": discount,
        "email": c.email,
        "invoice_prefix": invoice_prefix(c.id, c.invoice_prefix),
        "invoice_settings": {
            "custom_fields": None,
            "default_payment_method": settings.get("default_payment_method"),
            "footer": settings.get("footer"),
            "rendering_options": None,
        },
        "livemode": c.livemode,
        "metadata": dict(c.metadata_ or {}),
        "name": c.name,
        "next_invoice_sequence": next_sequence,
        "phone": c.phone,
        "preferred_locales": list(c.preferred_locales or []),
        "shipping": full_shipping(c.shipping),
        "tax_exempt": c.tax_exempt or "none",
        "test_clock": c.test_clock_id,
    }
    # Optional in Stripe's definition: present when set.
    for name in ("business_name", "individual_name"):
        if getattr(c, name) is not None:
            body[name] = getattr(c, name)
    return body


async def render_customers(uow: UnitOfWork, scope: Scope, customers: list[Customer]) -> list[dict[str, Any]]:
    """Customers with their discount objects (one query for all the discounts on the page)."""
    from app.objects.discounts import render_discounts

    ids = [c.discount_id for c in customers if c.discount_id and not c.deleted]
    found = await uow.discounts.many(scope, ids)
    bodies = {d["id"]: d for d in await render_discounts(uow, scope, list(found.values()))}
    counters = await uow.counters.values(scope, sorted({number_counter(c.id, c.invoice_prefix) for c in customers}))
    return [
        render_customer(
            c,
            bodies.get(c.discount_id) if c.discount_id else None,
            counters.get(number_counter(c.id, c.invoice_prefix), 0) + 1,
        )
        for c in customers
    ]


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> Customer | None:
    return await uow.customers.get(scope, object_id)


async def _include(uow: UnitOfWork, scope: Scope, c: Customer, body: dict[str, Any], wanted: set[str]) -> None:
    """`expand[]=tax_ids`: the customer's tax IDs as the list Stripe includes (up to its limit of 5
    per customer, so never more than one page)."""
    from app.objects.tax_ids import render_tax_id

    if "tax_ids" in wanted and not c.deleted:
        rows = await uow.tax_ids.of_customer(scope, c.id)
        body["tax_ids"] = {
            "object": "list",
            "data": [render_tax_id(t) for t in rows],
            "has_more": False,
            "url": f"/v1/customers/{c.id}/tax_ids",
        }


CUSTOMER = register(
    ObjectType(
        name="customer",
        model=Customer,
        render_many=render_customers,
        loader=_load,
        expandable={
            "invoice_settings.default_payment_method": "payment_method",
            "test_clock": "test_helpers.test_clock",
            # Embedded, not an id: expanding reaches into it (`discount.source.coupon`).
            "discount": "discount",
        },
        always_null=frozenset({"default_source"}),
        includable=frozenset({"tax_ids"}),
        include=_include,
    )
)


async def render_one(uow: UnitOfWork, scope: Scope, customer: Customer) -> dict[str, Any]:
    return (await render_customers(uow, scope, [customer]))[0]
