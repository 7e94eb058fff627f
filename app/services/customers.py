"""Customer use cases. Each runs inside the caller's unit of work; events go in the same transaction."""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.errors import ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.customers import render_customer
from app.params.base import created_bounds
from app.params.customers import CustomerCreateParams, CustomerListParams, CustomerUpdateParams
from app.store.models import Customer
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


def _blank(value: Any) -> Any:
    """Stripe's "" means "unset"."""
    return None if value == "" else value


def _dump(value: Any) -> Any:
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value


def _merge_metadata(current: dict[str, str], sent: dict[str, str] | str) -> dict[str, str]:
    if sent == "":
        return {}
    assert isinstance(sent, dict)
    merged = dict(current)
    for key, value in sent.items():
        if value == "":
            merged.pop(key, None)
        else:
            merged[key] = value
    return merged


async def get(uow: UnitOfWork, ctx: Ctx, customer_id: str, *, param: str = "id") -> Customer:
    """A live (not deleted) customer of this scope, or 404."""
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None or customer.deleted:
        raise ResourceMissing("customer", customer_id, param=param)
    return customer


async def create(uow: UnitOfWork, ctx: Ctx, params: CustomerCreateParams) -> Customer:
    """Create a customer and record `customer.created`."""
    customer = Customer(
        id=new_id("cus", 14),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=ctx.now(),
        email=params.email,
        name=params.name,
        phone=params.phone,
        description=params.description,
        address=_blank(_dump(params.address)),
        shipping=_blank(_dump(params.shipping)),
        preferred_locales=list(params.preferred_locales or []),
        invoice_settings=_dump(params.invoice_settings) if params.invoice_settings else {},
        metadata_=_merge_metadata({}, params.metadata or {}),
        balance=params.balance or 0,
        deleted=False,
    )
    uow.customers.add(customer)
    outbox.record(uow, ctx, "customer.created", render_customer(customer))
    return customer


async def retrieve(uow: UnitOfWork, ctx: Ctx, customer_id: str) -> Customer:
    """A customer; a deleted one renders as Stripe's `{deleted: true}` stub."""
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None:
        raise ResourceMissing("customer", customer_id)
    return customer


async def update(uow: UnitOfWork, ctx: Ctx, customer_id: str, params: CustomerUpdateParams) -> Customer:
    """Change only what was sent; record `customer.updated` with the previous values."""
    customer = await get(uow, ctx, customer_id)
    before = render_customer(customer)
    sent = params.sent()
    for name in ("email", "name", "phone", "description"):
        if name in sent:
            setattr(customer, name, _blank(getattr(params, name)))
    if "address" in sent:
        customer.address = _blank(_dump(params.address))
    if "shipping" in sent:
        customer.shipping = _blank(_dump(params.shipping))
    if "balance" in sent:
        customer.balance = params.balance or 0
    if "preferred_locales" in sent:
        customer.preferred_locales = list(_blank(params.preferred_locales) or [])
    if "metadata" in sent and params.metadata is not None:
        customer.metadata_ = _merge_metadata(customer.metadata_ or {}, params.metadata)
    if params.invoice_settings is not None and "footer" in params.invoice_settings.sent():
        settings = dict(customer.invoice_settings or {})
        settings["footer"] = _blank(params.invoice_settings.footer)
        customer.invoice_settings = settings
    after = render_customer(customer)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "customer.updated", after, previous=changed)
    return customer


async def delete(uow: UnitOfWork, ctx: Ctx, customer_id: str) -> Customer:
    """Delete a customer; later reads see Stripe's deleted stub."""
    customer = await get(uow, ctx, customer_id)
    snapshot = render_customer(customer)
    customer.deleted = True
    outbox.record(uow, ctx, "customer.deleted", snapshot)
    return customer


async def list_(uow: UnitOfWork, ctx: Ctx, params: CustomerListParams) -> Page[Customer]:
    """Customers newest first, optionally by exact email and creation time."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.customers.list(ctx.scope, cursor, email=params.email, created=created_bounds(params.created))
