"""Tax IDs (https://docs.stripe.com/billing/customer/tax-ids): a customer's, shown on their
invoices, or the merchant's own. The format check is the domain's (app/domain/tax_ids.py); a
customer holds at most five, as on Stripe."""

from __future__ import annotations

from app.context import Ctx
from app.domain import tax_ids as rules
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.tax_ids import render_tax_id
from app.params.base import ListParams
from app.params.tax_ids import OwnerParams, TaxIdCreateParams, TaxIdListParams
from app.services import locks
from app.store.models import Customer, TaxId
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork

PER_CUSTOMER = 5


def _checked(kind: str, value: str, *, param: str) -> rules.Checked:
    if kind not in rules.TYPES:
        raise InvalidRequest(
            f"Invalid tax ID type: {kind!r}; it must be one of Stripe's tax ID types (such as eu_vat, gb_vat, us_ein).",
            code="parameter_invalid_string",
            param=f"{param}[type]" if param else "type",
        )
    try:
        return rules.check(kind, value)
    except rules.TaxIdInvalid as exc:
        raise InvalidRequest(str(exc), code="tax_id_invalid", param=f"{param}[value]" if param else "value") from exc


async def add_to_customer(
    uow: UnitOfWork, ctx: Ctx, customer: Customer, kind: str, value: str, *, param: str = ""
) -> TaxId:
    """A tax ID for a customer the caller holds the lock of; records `customer.tax_id.created`."""
    checked = _checked(kind, value, param=param)
    held = await uow.tax_ids.of_customer(ctx.scope, customer.id)
    if len(held) >= PER_CUSTOMER:
        raise InvalidRequest(
            f"A customer can have at most {PER_CUSTOMER} tax IDs; delete one first.",
            code="resource_exhausted",
            param=param or None,
        )
    return _add(uow, ctx, "customer", customer.id, kind, checked, event="customer.tax_id.created")


def _add(
    uow: UnitOfWork,
    ctx: Ctx,
    owner_type: str,
    customer_id: str | None,
    kind: str,
    checked: rules.Checked,
    *,
    event: str | None,
) -> TaxId:
    tax_id = TaxId(
        id=new_id("txi", 24),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=ctx.now(),
        owner_type=owner_type,
        customer_id=customer_id,
        type=kind,
        value=checked.value,
        country=checked.country,
        verification_status=rules.verification(kind, checked.value).value,
    )
    uow.tax_ids.add(tax_id)
    if event is not None:
        outbox.record(uow, ctx, event, render_tax_id(tax_id))
    return tax_id


async def create_for_customer(uow: UnitOfWork, ctx: Ctx, customer_id: str, kind: str, value: str) -> TaxId:
    customer = await locks.customer(uow, ctx, customer_id)
    return await add_to_customer(uow, ctx, customer, kind, value)


async def create(uow: UnitOfWork, ctx: Ctx, params: TaxIdCreateParams) -> TaxId:
    """/v1/tax_ids: the owner is a customer (`owner[customer]`) or the merchant (the default)."""
    owner = params.owner or OwnerParams(type="self")
    if owner.type == "customer":
        if owner.customer is None:
            raise InvalidRequest("owner[customer] is required when owner[type] is customer.", param="owner[customer]")
        customer = await locks.customer(uow, ctx, owner.customer, param="owner[customer]")
        return await add_to_customer(uow, ctx, customer, params.type, params.value)
    if owner.customer is not None:
        raise InvalidRequest("owner[customer] is only for owner[type]=customer.", param="owner[customer]")
    checked = _checked(params.type, params.value, param="")
    # Stripe announces a customer's tax IDs only; the merchant's own have no events.
    return _add(uow, ctx, owner.type, None, params.type, checked, event=None)


async def retrieve(uow: UnitOfWork, ctx: Ctx, tax_id: str, *, customer_id: str | None = None) -> TaxId:
    found = await uow.tax_ids.get(ctx.scope, tax_id)
    if found is None or found.deleted or (customer_id is not None and found.customer_id != customer_id):
        raise ResourceMissing("tax_id", tax_id)
    return found


async def delete(uow: UnitOfWork, ctx: Ctx, tax_id: str, *, customer_id: str | None = None) -> TaxId:
    """Delete a tax ID: a customer's under the customer's lock (`customer.tax_id.deleted`)."""
    found = await retrieve(uow, ctx, tax_id, customer_id=customer_id)
    if found.customer_id is not None:
        await locks.owner(uow, ctx, found.customer_id)
    locked = await uow.tax_ids.get_for_update(ctx.scope, found.id)
    if locked is None or locked.deleted:  # deleted by a concurrent request
        raise ResourceMissing("tax_id", tax_id)
    if found.owner_type == "customer":
        outbox.record(uow, ctx, "customer.tax_id.deleted", render_tax_id(found))
    locked.deleted = True
    return locked


async def list_for_customer(uow: UnitOfWork, ctx: Ctx, customer_id: str, params: ListParams) -> Page[TaxId]:
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None:
        raise ResourceMissing("customer", customer_id)
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.tax_ids.find(ctx.scope, cursor, owner_type="customer", customer_id=customer.id)


async def list_(uow: UnitOfWork, ctx: Ctx, params: TaxIdListParams) -> Page[TaxId]:
    """/v1/tax_ids: the merchant's own by default, or one customer's (`owner[type]=customer`)."""
    owner = params.owner or OwnerParams(type="self")
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    if owner.type == "customer":
        if owner.customer is None:
            raise InvalidRequest("owner[customer] is required when owner[type] is customer.", param="owner[customer]")
        return await uow.tax_ids.find(ctx.scope, cursor, owner_type="customer", customer_id=owner.customer)
    return await uow.tax_ids.find(ctx.scope, cursor, owner_type=owner.type)


async def merchants_own(uow: UnitOfWork, ctx: Ctx, ids: list[str], param: str) -> list[str]:
    """`account_tax_ids`: each one of the merchant's own tax IDs (404 naming the one that is not)."""
    for n, tax_id in enumerate(ids):
        own = await uow.tax_ids.get(ctx.scope, tax_id)
        if own is None or own.deleted or own.owner_type == "customer":
            raise ResourceMissing("tax_id", tax_id, param=f"{param}[{n}]")
    return ids
