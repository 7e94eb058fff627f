"""The `payment_method` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import PaymentMethod
from app.store.uow import UnitOfWork

_EMPTY_ADDRESS = {"city": None, "country": None, "line1": None, "line2": None, "postal_code": None, "state": None}


class BillingDetails(BaseModel):
    address: dict[str, str | None]
    email: str | None
    name: str | None
    phone: str | None
    tax_id: str | None


class PaymentMethodObject(BaseModel):
    id: str
    object: Literal["payment_method"]
    allow_redisplay: Literal["always", "limited", "unspecified"]
    billing_details: BillingDetails
    created: int
    customer: str | dict[str, Any] | None
    customer_account: str | None
    livemode: bool
    metadata: dict[str, str]
    type: str
    card: dict[str, Any] | None = None


def render_payment_method(pm: PaymentMethod) -> dict[str, Any]:
    details = dict(pm.billing_details or {})
    body: dict[str, Any] = {
        "id": pm.id,
        "object": "payment_method",
        "allow_redisplay": details.pop("allow_redisplay", "unspecified"),
        "billing_details": {
            "address": {**_EMPTY_ADDRESS, **(details.get("address") or {})},
            "email": details.get("email"),
            "name": details.get("name"),
            "phone": details.get("phone"),
            "tax_id": None,
        },
        "created": pm.created,
        "customer": pm.customer_id,
        "customer_account": None,
        "livemode": pm.livemode,
        "metadata": dict(pm.metadata_ or {}),
        "type": pm.type,
    }
    body[pm.type] = dict(pm.details or {})
    return body


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> PaymentMethod | None:
    return await uow.payment_methods.get(scope, object_id)


PAYMENT_METHOD = register(
    ObjectType(
        name="payment_method",
        model=PaymentMethod,
        render_many=simple(render_payment_method),
        loader=_load,
        expandable={"customer": "customer"},
        always_null=frozenset(
            {
                "card.generated_from.setup_attempt",
                "sepa_debit.generated_from.charge",
                "sepa_debit.generated_from.setup_attempt",
            }
        ),
    )
)
