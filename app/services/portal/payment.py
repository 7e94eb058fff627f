"""Payment in the portal: the customer's payment methods (R8, R9) and paying an open invoice."""

from __future__ import annotations

from typing import Any

from app.errors import InvalidRequest, PermissionDenied, ResourceMissing
from app.params.customers import CustomerUpdateParams, InvoiceSettingsParams
from app.params.invoices import InvoicePayParams
from app.params.parsing import parse
from app.params.payment_methods import PaymentMethodCreateParams
from app.params.portal_api import PayBody
from app.services import customers as customer_service
from app.services import invoices as invoice_service
from app.services import locks
from app.services import payment_methods as pm_service
from app.services.portal.flows import check_flow
from app.services.portal.overview import invoice_view
from app.services.portal.views import InvoiceView
from app.services.portal.visitor import Visitor, configuration, feature
from app.store.models import Customer, Invoice
from app.store.uow import UnitOfWork


async def _require_payment_method_update(uow: UnitOfWork, v: Visitor) -> None:
    if not feature(await configuration(uow, v), "payment_method_update").get("enabled"):
        raise PermissionDenied(
            "Managing payment methods is not enabled in this portal.", code="portal_feature_disabled"
        )


async def _new_card(
    uow: UnitOfWork,
    v: Visitor,
    customer: Customer,
    *,
    token: str | None,
    number: str | None,
    exp_month: int | None,
    exp_year: int | None,
) -> Any:
    """A card the customer typed (test mode: Stripe's test cards and tokens), attached to them."""
    if v.ctx.scope.livemode:
        raise InvalidRequest(
            "Adding cards in live mode needs a card tokenization service, which this service does not run.",
            code="feature_not_supported",
        )
    if token is not None:
        pm = await pm_service.resolve(uow, v.ctx, token, param="token")
    else:
        pm = await pm_service.create(
            uow,
            v.ctx,
            parse(
                PaymentMethodCreateParams,
                {"type": "card", "card": {"number": number, "exp_month": exp_month, "exp_year": exp_year}},
            ),
        )
    await pm_service.attach_to(uow, v.ctx, pm, customer)
    return pm


async def add_payment_method(
    uow: UnitOfWork,
    v: Visitor,
    *,
    token: str | None = None,
    number: str | None = None,
    exp_month: int | None = None,
    exp_year: int | None = None,
) -> Any:
    """Add a card and make it the default, as Stripe's portal does."""
    check_flow(v, "add_payment_method")
    await _require_payment_method_update(uow, v)
    customer = await locks.customer(uow, v.ctx, v.customer_id)
    pm = await _new_card(uow, v, customer, token=token, number=number, exp_month=exp_month, exp_year=exp_year)
    await customer_service.update(
        uow,
        v.ctx,
        customer.id,
        CustomerUpdateParams(invoice_settings=InvoiceSettingsParams(default_payment_method=pm.id)),
    )
    return pm


async def _own_payment_method(uow: UnitOfWork, v: Visitor, payment_method_id: str) -> Any:
    pm = await uow.payment_methods.get(v.ctx.scope, payment_method_id)
    if pm is None or pm.customer_id != v.customer_id:
        raise ResourceMissing("PaymentMethod", payment_method_id)
    return pm


async def set_default_payment_method(uow: UnitOfWork, v: Visitor, payment_method_id: str) -> Customer:
    check_flow(v, "set_default_payment_method")
    await _require_payment_method_update(uow, v)
    await locks.customer(uow, v.ctx, v.customer_id)
    pm = await _own_payment_method(uow, v, payment_method_id)
    return await customer_service.update(
        uow,
        v.ctx,
        v.customer_id,
        CustomerUpdateParams(invoice_settings=InvoiceSettingsParams(default_payment_method=pm.id)),
    )


async def remove_payment_method(uow: UnitOfWork, v: Visitor, payment_method_id: str) -> Any:
    """Remove a method; R9 keeps the last one of a customer with an active subscription."""
    check_flow(v, "remove_payment_method")
    await _require_payment_method_update(uow, v)
    pm = await _own_payment_method(uow, v, payment_method_id)
    return await pm_service.detach(uow, v.ctx, pm.id)


async def pay_invoice(uow: UnitOfWork, v: Visitor, invoice_id: str, body: PayBody) -> Invoice:
    """Pay one of the customer's open invoices from the history: with the default payment method,
    one of theirs (`payment_method`), or a new card (`token`, or `number` and expiry; attached,
    as Stripe's portal does, not made the default). A decline is kept on the invoice, as a
    charge attempt is."""
    payment_method, token, number = body.payment_method, body.token, body.number
    check_flow(v, "pay_invoice")
    # Another customer's invoice looks exactly like a made-up one; the invoice's own lock (in
    # invoice_service.pay) decides whether it is still open.
    await payable_invoice(uow, v, invoice_id)
    customer = await locks.customer(uow, v.ctx, v.customer_id)
    if token is not None or number is not None:
        await _require_payment_method_update(uow, v)
        payment_method = (
            await _new_card(
                uow, v, customer, token=token, number=number, exp_month=body.exp_month, exp_year=body.exp_year
            )
        ).id
    elif payment_method is not None:
        await _own_payment_method(uow, v, payment_method)
    return await invoice_service.pay(uow, v.ctx, invoice_id, InvoicePayParams(payment_method=payment_method))


async def payable_invoice(uow: UnitOfWork, v: Visitor, invoice_id: str) -> InvoiceView:
    """One of the customer's open invoices, as the pay page shows it (refused like pay_invoice)."""
    if not feature(await configuration(uow, v), "invoice_history").get("enabled"):
        raise PermissionDenied("The invoice history is not enabled in this portal.", code="portal_feature_disabled")
    found = await uow.invoices.get(v.ctx.scope, invoice_id)
    if found is None or found.customer_id != v.customer_id or found.status == "draft" or found.deleted:
        raise ResourceMissing("invoice", invoice_id)
    view = invoice_view(found, payable=True)
    if not view.payable:
        raise InvalidRequest(f"This invoice is {found.status}; there is nothing to pay.", code="invoice_not_open")
    return view
