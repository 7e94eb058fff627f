"""R8: GET /v1/billing_portal/payment_method_types (extension): the types the portal supports."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter, Response
from pydantic import BaseModel

from app.domain.payment_method_types import SUPPORTED, offered
from app.http.call import Call, dumps, json_response
from app.http.wire.openapi import documented
from app.params.base import Params, Str

router = APIRouter(tags=["billing_portal"])
URL = "/v1/billing_portal/payment_method_types"


class PaymentMethodTypeListParams(Params):
    currency: Str | None = None
    country: Str | None = None


class PaymentMethodTypeObject(BaseModel):
    object: Literal["billing_portal.payment_method_type"]
    type: str
    name: str
    currencies: list[str] | None
    countries: list[str] | None
    limitation: str | None


@router.get(URL, **documented(PaymentMethodTypeObject, PaymentMethodTypeListParams, is_list=True))
async def list_payment_method_types(call: Call) -> Response:
    """Extension (R8): the payment method types the portal supports, with their currency and merchant
    country limits; `currency` and `country` narrow the list to what fits."""
    p = call.parse(PaymentMethodTypeListParams)
    kinds = offered(currency=p.currency, country=p.country) if (p.currency or p.country) else list(SUPPORTED)
    data = [
        {
            "object": "billing_portal.payment_method_type",
            "type": k.type,
            "name": k.name,
            "currencies": sorted(k.currencies) if k.currencies is not None else None,
            "countries": sorted(k.countries) if k.countries is not None else None,
            "limitation": k.limitation,
        }
        for k in kinds
    ]
    return json_response(dumps({"object": "list", "data": data, "has_more": False, "url": URL}))
