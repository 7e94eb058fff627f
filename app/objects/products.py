"""The `product` and `price` objects."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import Price, Product
from app.store.uow import UnitOfWork


class DeletedProductObject(BaseModel):
    """What deleting a product answers (Stripe's deleted stub)."""

    id: str
    object: Literal["product"]
    deleted: Literal[True]


class ProductObject(BaseModel):
    id: str
    object: Literal["product"]
    active: bool
    created: int
    default_price: str | dict[str, Any] | None
    description: str | None
    images: list[str]
    livemode: bool
    marketing_features: list[Any]
    metadata: dict[str, str]
    name: str
    package_dimensions: None
    shippable: bool | None
    statement_descriptor: str | None
    tax_code: str | None
    unit_label: str | None
    updated: int
    url: str | None


class PriceRecurring(BaseModel):
    interval: Literal["day", "week", "month", "year"]
    interval_count: int
    meter: str | None
    trial_period_days: int | None
    usage_type: Literal["licensed", "metered"]


class PriceTier(BaseModel):
    flat_amount: int | None
    flat_amount_decimal: str | None
    unit_amount: int | None
    unit_amount_decimal: str | None
    up_to: int | None


class PriceObject(BaseModel):
    id: str
    object: Literal["price"]
    active: bool
    billing_scheme: Literal["per_unit", "tiered"]
    created: int
    currency: str
    custom_unit_amount: None
    livemode: bool
    lookup_key: str | None
    metadata: dict[str, str]
    nickname: str | None
    product: str | dict[str, Any]
    recurring: PriceRecurring | None
    tax_behavior: Literal["exclusive", "inclusive", "unspecified"] | None
    tiers: list[PriceTier] | None = None
    tiers_mode: Literal["graduated", "volume"] | None
    transform_quantity: dict[str, Any] | None
    type: Literal["one_time", "recurring"]
    unit_amount: int | None
    unit_amount_decimal: str | None


def render_product(p: Product) -> dict[str, Any]:
    if p.deleted:
        return {"id": p.id, "object": "product", "deleted": True}
    d = p.details or {}
    return {
        "id": p.id,
        "object": "product",
        "active": p.active,
        "created": p.created,
        "default_price": p.default_price,
        "description": p.description,
        "images": list(d.get("images") or []),
        "livemode": p.livemode,
        "marketing_features": [{"name": f["name"]} for f in d.get("marketing_features") or []],
        "metadata": dict(p.metadata_ or {}),
        "name": p.name,
        "package_dimensions": d.get("package_dimensions"),
        "shippable": d.get("shippable"),
        "statement_descriptor": d.get("statement_descriptor"),
        "tax_code": None,
        "tax_details": None,
        "type": d.get("type", "service"),
        "unit_label": d.get("unit_label"),
        "updated": p.updated,
        "url": d.get("url"),
    }


def render_price(p: Price) -> dict[str, Any]:
    return {
        "id": p.id,
        "object": "price",
        "active": p.active,
        "billing_scheme": p.billing_scheme,
        "created": p.created,
        "currency": p.currency,
        "custom_unit_amount": None,
        "livemode": p.livemode,
        "lookup_key": p.lookup_key,
        "metadata": dict(p.metadata_ or {}),
        "nickname": p.nickname,
        "product": p.product_id,
        "recurring": dict(p.recurring) if p.recurring else None,
        "tax_behavior": p.tax_behavior,
        "tiers_mode": p.tiers_mode,
        "transform_quantity": p.transform_quantity,
        "type": p.type,
        "unit_amount": p.unit_amount,
        "unit_amount_decimal": None if p.unit_amount is None else str(p.unit_amount),
    }


def render_tiers(p: Price) -> list[dict[str, Any]]:
    return [
        {
            "flat_amount": t.get("flat_amount"),
            "flat_amount_decimal": None if t.get("flat_amount") is None else str(t["flat_amount"]),
            "unit_amount": t.get("unit_amount"),
            "unit_amount_decimal": None if t.get("unit_amount") is None else str(t["unit_amount"]),
            "up_to": t.get("up_to"),
        }
        for t in (p.tiers or [])
    ]


async def _include_tiers(_uow: UnitOfWork, _scope: Scope, p: Price, body: dict[str, Any], _wanted: set[str]) -> None:
    body["tiers"] = render_tiers(p)


async def _load_product(uow: UnitOfWork, scope: Scope, object_id: str) -> Product | None:
    return await uow.products.get(scope, object_id)


async def _load_price(uow: UnitOfWork, scope: Scope, object_id: str) -> Price | None:
    return await uow.prices.get(scope, object_id)


PRODUCT = register(
    ObjectType(
        name="product",
        model=Product,
        render_many=simple(render_product),
        loader=_load_product,
        expandable={"default_price": "price"},
        always_null=frozenset({"tax_code"}),
    )
)
PRICE = register(
    ObjectType(
        name="price",
        model=Price,
        render_many=simple(render_price),
        loader=_load_price,
        expandable={"product": "product"},
        includable=frozenset({"tiers"}),
        include=_include_tiers,
    )
)
