"""Customer use cases. Each runs inside the caller's unit of work; events go in the same transaction."""

from __future__ import annotations

from app.context import Ctx
from app.domain.invoice_numbers import invoice_prefix, number_counter
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.customers import render_one
from app.params.base import created_bounds
from app.params.customers import CustomerCreateParams, CustomerListParams, CustomerUpdateParams
from app.services import discounts as discount_service
from app.services import locks
from app.services import subscriptions as subscription_service
from app.services import tax_ids as tax_id_service
from app.services.common import blank, dump, merge_metadata, require_test_mode
from app.store.models import Customer
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


async def get(uow: UnitOfWork, ctx: Ctx, customer_id: str, *, param: str = "id") -> Customer:
    """A live (not deleted) customer of this scope, or 404."""
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None or customer.deleted:
        raise ResourceMissing("customer", customer_id, param=param)
    return customer


async def create(uow: UnitOfWork, ctx: Ctx, params: CustomerCreateParams) -> Customer:
    """Create a customer and record `customer.created`. On a test clock it lives at the clock's time."""
    clock_id = None
    if params.test_clock is not None:
        require_test_mode(ctx, "Test clocks")
        clock = await uow.test_clocks.get(ctx.scope, params.test_clock)
        if clock is None or clock.deleted:
            raise ResourceMissing("test_clock", params.test_clock, param="test_clock")
        clock_id = clock.id
        ctx.freeze(clock.frozen_time)
    customer_id = new_id("cus", 14)
    customer = Customer(
        id=customer_id,
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=ctx.now(),
        email=params.email,
        name=params.name,
        phone=params.phone,
        description=params.description,
        address=blank(dump(params.address)),
        shipping=blank(dump(params.shipping)),
        preferred_locales=list(params.preferred_locales or []),
        invoice_settings={"footer": blank(params.invoice_settings.footer)} if params.invoice_settings else {},
        metadata_=merge_metadata({}, params.metadata or {}),
        balance=params.balance or 0,
        deleted=False,
        tax_exempt=params.tax_exempt or "none",
        business_name=params.business_name,
        individual_name=params.individual_name,
        # Stored even when derived (the same value either way): a list reads the customers'
        # invoice-number counters in its own statement, joined on it.
        invoice_prefix=invoice_prefix(customer_id, params.invoice_prefix),
        test_clock_id=clock_id,
    )
    uow.customers.add(customer)
    attached_id = None
    if params.payment_method is not None:
        # Imported here: payment methods build on customers, not the other way round.
        from app.services import payment_methods as payment_method_service

        pm = await payment_method_service.resolve(uow, ctx, params.payment_method, param="payment_method")
        await payment_method_service.attach_to(uow, ctx, pm, customer)
        attached_id = pm.id
    wanted = blank(params.invoice_settings.default_payment_method) if params.invoice_settings else None
    if wanted is not None:
        # `payment_method=pm_card_visa` with the same default names the method just made from the token.
        wanted = attached_id if wanted == params.payment_method else wanted
        assert wanted is not None
        await _check_attached(uow, ctx, customer, wanted)
        customer.invoice_settings = {**customer.invoice_settings, "default_payment_method": wanted}
    if params.coupon is not None or params.promotion_code is not None:
        await uow.flush()
        await discount_service.set_customer_discount(uow, ctx, customer, params.coupon, params.promotion_code)
    if params.next_invoice_sequence is not None:
        await _number_from(uow, ctx, customer, params.next_invoice_sequence)
    outbox.record(uow, ctx, "customer.created", await render_one(uow, ctx.scope, customer))
    for n, data in enumerate(params.tax_id_data or []):
        await tax_id_service.add_to_customer(uow, ctx, customer, data.type, data.value, param=f"tax_id_data[{n}]")
    return customer


async def _number_from(uow: UnitOfWork, ctx: Ctx, customer: Customer, sequence: int) -> None:
    """`next_invoice_sequence`: the customer's next invoice is numbered PREFIX-<sequence>. Only
    forward: a number already given out is never given again."""
    if not await uow.counters.raise_to(ctx.scope, number_counter(customer.id, customer.invoice_prefix), sequence - 1):
        raise InvalidRequest(
            f"next_invoice_sequence {sequence} is not after the customer's last invoice number; a number is never "
            "given twice.",
            param="next_invoice_sequence",
        )


async def _check_attached(uow: UnitOfWork, ctx: Ctx, customer: Customer, payment_method_id: str) -> None:
    param = "invoice_settings[default_payment_method]"
    pm = await uow.payment_methods.get(ctx.scope, payment_method_id)
    if pm is None:
        raise ResourceMissing("PaymentMethod", payment_method_id, param=param)
    if pm.customer_id != customer.id:
        raise InvalidRequest(
            f"The payment method {payment_method_id} is not attached to customer {customer.id}; attach it first.",
            param=param,
        )


async def retrieve(uow: UnitOfWork, ctx: Ctx, customer_id: str) -> Customer:
    """A customer; a deleted one renders as Stripe's `{deleted: true}` stub."""
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None:
        raise ResourceMissing("customer", customer_id)
    return customer


async def update(uow: UnitOfWork, ctx: Ctx, customer_id: str, params: CustomerUpdateParams) -> Customer:
    """Change only what was sent (maps merged under the lock); record `customer.updated` with the previous values."""
    customer = await locks.customer(uow, ctx, customer_id)
    before = await render_one(uow, ctx.scope, customer)
    sent = params.sent()
    for name in ("email", "name", "phone", "description", "business_name", "individual_name"):
        if name in sent:
            setattr(customer, name, blank(getattr(params, name)))
    if "address" in sent:
        customer.address = blank(dump(params.address))
    if "shipping" in sent:
        customer.shipping = blank(dump(params.shipping))
    if "balance" in sent:
        customer.balance = params.balance or 0
    if "tax_exempt" in sent:
        customer.tax_exempt = blank(params.tax_exempt) or "none"
    if "invoice_prefix" in sent and params.invoice_prefix is not None:
        customer.invoice_prefix = params.invoice_prefix
    if "preferred_locales" in sent:
        customer.preferred_locales = list(blank(params.preferred_locales) or [])
    if "metadata" in sent and params.metadata is not None:
        customer.metadata_ = merge_metadata(customer.metadata_ or {}, params.metadata)
    if params.invoice_settings is not None:
        settings = dict(customer.invoice_settings or {})
        sent_settings = params.invoice_settings.sent()
        if "footer" in sent_settings:
            settings["footer"] = blank(params.invoice_settings.footer)
        if "default_payment_method" in sent_settings:
            wanted = blank(params.invoice_settings.default_payment_method)
            if wanted is not None:
                await _check_attached(uow, ctx, customer, wanted)
            settings["default_payment_method"] = wanted
        customer.invoice_settings = settings
    if "coupon" in sent or "promotion_code" in sent:
        await discount_service.set_customer_discount(uow, ctx, customer, params.coupon, params.promotion_code)
    if params.next_invoice_sequence is not None:
        await _number_from(uow, ctx, customer, params.next_invoice_sequence)
    after = await render_one(uow, ctx.scope, customer)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "customer.updated", after, previous=changed)
    return customer


async def delete(uow: UnitOfWork, ctx: Ctx, customer_id: str) -> Customer:
    """Delete a customer: their subscriptions are canceled at once (each with its
    `customer.subscription.deleted`, as Stripe does), then `customer.deleted`; later reads see
    Stripe's deleted stub."""
    customer = await locks.customer(uow, ctx, customer_id)
    for sub in await uow.subscriptions.for_customer(ctx.scope, customer.id):
        if sub.status not in subscription_service.ENDED:
            await subscription_service.end_now(uow, ctx, sub, reason="cancellation_requested")
    snapshot = await render_one(uow, ctx.scope, customer)
    customer.deleted = True
    outbox.record(uow, ctx, "customer.deleted", snapshot)
    return customer


async def list_(uow: UnitOfWork, ctx: Ctx, params: CustomerListParams) -> Page[Customer]:
    """Customers newest first, optionally by exact email and creation time."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.customers.find(
        ctx.scope, cursor, email=params.email, created=created_bounds(params.created), test_clock=params.test_clock
    )
