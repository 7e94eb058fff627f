"""What subscription items cost: each item's price, product and quantity as the domain's `Priced`."""

from __future__ import annotations

from app.context import Ctx
from app.domain.billing import amount_for
from app.domain.lines import Priced
from app.domain.periods import Interval
from app.store.models import Price, Product
from app.store.uow import UnitOfWork


def price_amount(price: Price, quantity: int) -> int:
    return amount_for(
        {
            "billing_scheme": price.billing_scheme,
            "unit_amount": price.unit_amount,
            "tiers_mode": price.tiers_mode,
            "tiers": price.tiers,
            "transform_quantity": price.transform_quantity,
        },
        quantity,
    )


def is_metered(price: Price) -> bool:
    return (price.recurring or {}).get("usage_type") == "metered"


def priced(price: Price, product: Product | None, quantity: int | None) -> Priced:
    count = 0 if is_metered(price) else (quantity if quantity is not None else 1)
    return Priced(
        price_id=price.id,
        product_id=price.product_id,
        product_name=product.name if product is not None else (price.nickname or price.product_id),
        quantity=count,
        amount=0 if is_metered(price) else price_amount(price, count),
        currency=price.currency,
        interval=Interval.of(price.recurring),
        unit_amount=price.unit_amount if price.billing_scheme != "tiered" else None,
        metered=is_metered(price),
    )


async def products_of(uow: UnitOfWork, ctx: Ctx, prices: list[Price]) -> dict[str, Product]:
    return await uow.products.many(ctx.scope, [p.product_id for p in prices])
