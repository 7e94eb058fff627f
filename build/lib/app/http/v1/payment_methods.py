"""/v1/payment_methods and /v1/customers/{customer}/payment_methods."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.payment_methods import PaymentMethodObject
from app.params.base import RetrieveParams
from app.params.payment_methods import (
    CustomerPaymentMethodListParams,
    PaymentMethodAttachParams,
    PaymentMethodCreateParams,
    PaymentMethodDetachParams,
    PaymentMethodListParams,
    PaymentMethodUpdateParams,
)
from app.services import payment_methods as pm_service

router = APIRouter(tags=["payment_methods"])
PM = "payment_method"


@router.post("/v1/payment_methods", **documented(PaymentMethodObject, PaymentMethodCreateParams))
async def create_payment_method(call: Call) -> Response:
    """Create a payment method. Test mode takes Stripe's test card numbers and tokens (`card[token]=tok_visa`)."""
    p = call.parse(PaymentMethodCreateParams)
    return await call.write(lambda uow: pm_service.create(uow, call.ctx, p), PM, expand=p.expand)


@router.get("/v1/payment_methods", **documented(PaymentMethodObject, PaymentMethodListParams, is_list=True))
async def list_payment_methods(call: Call) -> Response:
    """List payment methods, newest first; filter by `customer` and `type`."""
    p = call.parse(PaymentMethodListParams)
    return await call.read(
        lambda uow: pm_service.list_(uow, call.ctx, p), PM, expand=p.expand, url="/v1/payment_methods"
    )


@router.get("/v1/payment_methods/{payment_method}", **documented(PaymentMethodObject, RetrieveParams))
async def retrieve_payment_method(payment_method: str, call: Call) -> Response:
    """Retrieve a payment method."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: pm_service.get(uow, call.ctx, payment_method), PM, expand=p.expand)


@router.post("/v1/payment_methods/{payment_method}", **documented(PaymentMethodObject, PaymentMethodUpdateParams))
async def update_payment_method(payment_method: str, call: Call) -> Response:
    """Update billing details, metadata or a card's expiry."""
    p = call.parse(PaymentMethodUpdateParams)
    return await call.write(lambda uow: pm_service.update(uow, call.ctx, payment_method, p), PM, expand=p.expand)


@router.post(
    "/v1/payment_methods/{payment_method}/attach", **documented(PaymentMethodObject, PaymentMethodAttachParams)
)
async def attach_payment_method(payment_method: str, call: Call) -> Response:
    """Attach a payment method (or, in test mode, a token such as `pm_card_visa`) to a customer."""
    p = call.parse(PaymentMethodAttachParams)
    return await call.write(
        lambda uow: pm_service.attach(uow, call.ctx, payment_method, p.customer), PM, expand=p.expand
    )


@router.post(
    "/v1/payment_methods/{payment_method}/detach", **documented(PaymentMethodObject, PaymentMethodDetachParams)
)
async def detach_payment_method(payment_method: str, call: Call) -> Response:
    """Detach a payment method. R9: the last one of a customer with an active subscription stays."""
    p = call.parse(PaymentMethodDetachParams)
    return await call.write(lambda uow: pm_service.detach(uow, call.ctx, payment_method), PM, expand=p.expand)


@router.get(
    "/v1/customers/{customer}/payment_methods",
    **documented(PaymentMethodObject, CustomerPaymentMethodListParams, is_list=True),
)
async def list_customer_payment_methods(customer: str, call: Call) -> Response:
    """List a customer's payment methods."""
    p = call.parse(CustomerPaymentMethodListParams)
    return await call.read(
        lambda uow: pm_service.list_for_customer(uow, call.ctx, customer, p),
        PM,
        expand=p.expand,
        url=f"/v1/customers/{customer}/payment_methods",
    )


@router.get(
    "/v1/customers/{customer}/payment_methods/{payment_method}", **documented(PaymentMethodObject, RetrieveParams)
)
async def retrieve_customer_payment_method(customer: str, payment_method: str, call: Call) -> Response:
    """Retrieve one of a customer's payment methods."""
    p = call.parse(RetrieveParams)
    return await call.read(
        lambda uow: pm_service.retrieve_for_customer(uow, call.ctx, customer, payment_method), PM, expand=p.expand
    )
