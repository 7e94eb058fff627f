"""Product and price use cases."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from app.context import Ctx
from app.errors import InvalidRequest, ParameterMissing, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.products import render_price, render_product
from app.params.base import created_bounds
from app.params.products import (
    PriceCreateParams,
    PriceListParams,
    PriceUpdateParams,
    ProductCreateParams,
    ProductListParams,
    ProductUpdateParams,
    RecurringParams,
)
from app.params.subscriptions import ItemPriceData
from app.services.common import blank, dump, merge_metadata
from app.store.models import Price, Product
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


async def get_product(uow: UnitOfWork, ctx: Ctx, product_id: str, *, param: str = "id") -> Product:
    product = await uow.products.get(ctx.scope, product_id)
    if product is None or product.deleted:
        raise ResourceMissing("product", product_id, param=param)
    return product


async def get_price(uow: UnitOfWork, ctx: Ctx, price_id: str, *, param: str = "id") -> Price:
    price = await uow.prices.get(ctx.scope, price_id)
    if price is None:
        raise ResourceMissing("price", price_id, param=param)
    return price


async def create_product(uow: UnitOfWork, ctx: Ctx, params: ProductCreateParams) -> Product:
    """Create a product and record `product.created`."""
    now = ctx.now()
    if params.id is not None and await uow.products.get(ctx.scope, params.id) is not None:
        raise InvalidRequest(f"Product already exists: {params.id}.", code="resource_already_exists", param="id")
    product = uow.products.add(
        Product(
            id=params.id or new_id("prod", 14),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=now,
            updated=now,
            name=params.name,
            active=True if params.active is None else params.active,
            description=params.description,
            metadata_=merge_metadata({}, params.metadata),
            details={**_details({}, params), "type": params.type or "service"},
        )
    )
    if params.default_price_data is not None:
        data = params.default_price_data
        price = await create_price(
            uow,
            ctx,
            PriceCreateParams(
                currency=data.currency,
                product=product.id,
                unit_amount=data.unit_amount,
                recurring=(
                    RecurringParams(interval=data.recurring.interval, interval_count=data.recurring.interval_count)
                    if data.recurring
                    else None
                ),
                tax_behavior=data.tax_behavior,
                metadata=data.metadata,
            ),
        )
        product.default_price = price.id
    outbox.record(uow, ctx, "product.created", render_product(product))
    return product


_DETAILS = (
    "images",
    "marketing_features",
    "package_dimensions",
    "shippable",
    "statement_descriptor",
    "unit_label",
    "url",
)


def _details(current: dict[str, Any], params: ProductCreateParams | ProductUpdateParams) -> dict[str, Any]:
    """The product's descriptive fields as sent ("" unsets), kept with the rest."""
    details = dict(current)
    for name in _DETAILS:
        if name in params.sent():
            value = blank(getattr(params, name))
            details[name] = dump(value) if not isinstance(value, list) else [dump(v) for v in value]
    return details


async def update_product(uow: UnitOfWork, ctx: Ctx, product_id: str, params: ProductUpdateParams) -> Product:
    """Change what was sent (metadata merged under the row's lock); record `product.updated`."""
    product = await uow.products.get_for_update(ctx.scope, product_id)
    if product is None or product.deleted:
        raise ResourceMissing("product", product_id)
    before = render_product(product)
    sent = params.sent()
    if params.name is not None:
        product.name = params.name
    if params.active is not None:
        product.active = params.active
    if "description" in sent:
        product.description = blank(params.description)
    if params.default_price is not None:
        price = await get_price(uow, ctx, params.default_price, param="default_price")
        if price.product_id != product.id:
            raise InvalidRequest(
                f"The price {price.id} belongs to another product; a default price must be one of this product's.",
                param="default_price",
            )
        product.default_price = price.id
    if "metadata" in sent:
        product.metadata_ = merge_metadata(product.metadata_, params.metadata)
    product.details = _details(product.details or {}, params)
    after = render_product(product)
    changed = outbox.previous_attributes(before, after)
    if changed:
        product.updated = ctx.now()
        after["updated"] = product.updated
        outbox.record(uow, ctx, "product.updated", after, previous=changed)
    return product


async def delete_product(uow: UnitOfWork, ctx: Ctx, product_id: str) -> Product:
    """Delete a product that has no prices (Stripe's rule: archive one with prices instead, with
    active=false); records `product.deleted`."""
    product = await uow.products.get_for_update(ctx.scope, product_id)
    if product is None or product.deleted:
        raise ResourceMissing("product", product_id)
    if await uow.prices.exist_for(ctx.scope, product.id):
        raise InvalidRequest(
            "This product cannot be deleted because it has one or more prices; set active=false to archive it.",
            code="product_has_prices",
        )
    body = render_product(product)
    product.deleted = True
    outbox.record(uow, ctx, "product.deleted", body)
    return product


async def list_products(uow: UnitOfWork, ctx: Ctx, params: ProductListParams) -> Page[Product]:
    """Products newest first."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.products.find(
        ctx.scope,
        cursor,
        active=params.active,
        created=created_bounds(params.created),
        ids=params.ids,
        shippable=params.shippable,
        type=params.type,
        url=params.url,
    )


async def _claim_lookup_key(uow: UnitOfWork, ctx: Ctx, lookup_key: str, transfer: bool, price_id: str) -> None:
    """A lookup key names one price; moving it needs transfer_lookup_key=true."""
    holders = [p for p in await uow.prices.with_lookup_key(ctx.scope, lookup_key) if p.id != price_id]
    if holders and not transfer:
        raise InvalidRequest(
            f"A price ({holders[0].id}) already uses the lookup key `{lookup_key}`. "
            "Pass transfer_lookup_key=true to move it to this price.",
            param="lookup_key",
        )
    for holder in holders:
        before = render_price(holder)
        holder.lookup_key = None
        outbox.record(
            uow,
            ctx,
            "price.updated",
            render_price(holder),
            previous=outbox.previous_attributes(before, render_price(holder)),
        )


async def create_price(uow: UnitOfWork, ctx: Ctx, params: PriceCreateParams) -> Price:
    """Create a one-time or recurring price (per unit or tiered) and record `price.created`."""
    if (params.product is None) == (params.product_data is None):
        raise InvalidRequest("Give product or product_data (exactly one).", code="parameter_missing", param="product")
    if params.product_data is not None:
        data = params.product_data
        made = await create_product(
            uow,
            ctx,
            ProductCreateParams(
                name=data.name,
                active=data.active,
                metadata=data.metadata,
                statement_descriptor=data.statement_descriptor,
                unit_label=data.unit_label,
            ),
        )
        params = params.model_copy(update={"product": made.id, "product_data": None})
    assert params.product is not None
    product = await get_product(uow, ctx, params.product, param="product")
    if params.unit_amount_decimal is not None:
        amount = whole_amount(params.unit_amount_decimal, params.unit_amount, "unit_amount_decimal")
        params = params.model_copy(update={"unit_amount": amount, "unit_amount_decimal": None})
    if params.transform_quantity is not None and params.billing_scheme == "tiered":
        raise InvalidRequest(
            "transform_quantity cannot be used with billing_scheme=tiered.", param="transform_quantity"
        )
    if params.billing_scheme == "per_unit":
        if params.unit_amount is None:
            raise InvalidRequest("Missing required param: unit_amount.", code="parameter_missing", param="unit_amount")
        if params.tiers is not None or params.tiers_mode is not None:
            raise InvalidRequest("`tiers` can only be used with billing_scheme=tiered.", param="tiers")
    else:
        if not params.tiers:
            raise InvalidRequest("Missing required param: tiers.", code="parameter_missing", param="tiers")
        if params.tiers_mode is None:
            raise InvalidRequest("Missing required param: tiers_mode.", code="parameter_missing", param="tiers_mode")
        if params.unit_amount is not None:
            raise InvalidRequest("unit_amount cannot be used with billing_scheme=tiered.", param="unit_amount")
        if params.tiers[-1].up_to != "inf":
            raise InvalidRequest("The last tier must have up_to=inf.", param=f"tiers[{len(params.tiers) - 1}][up_to]")
        bounds = [t.up_to for t in params.tiers[:-1]]
        if any(b == "inf" for b in bounds) or bounds != sorted(bounds):
            raise InvalidRequest("Tiers must be in increasing order of up_to.", param="tiers")
    if params.recurring is None and params.tiers is not None:
        raise InvalidRequest("Tiered prices must be recurring.", param="recurring")
    recurring = None
    if params.recurring is not None:
        recurring = {
            "interval": params.recurring.interval,
            "interval_count": params.recurring.interval_count,
            "meter": params.recurring.meter,
            "trial_period_days": params.recurring.trial_period_days,
            "usage_type": params.recurring.usage_type,
        }
    price = Price(
        id=new_id("price", 24),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=ctx.now(),
        product_id=product.id,
        active=True if params.active is None else params.active,
        currency=params.currency.lower(),
        type="recurring" if recurring else "one_time",
        recurring=recurring,
        recurring_interval=recurring["interval"] if recurring else None,
        billing_scheme=params.billing_scheme,
        tiers_mode=params.tiers_mode,
        tiers=(
            [
                {
                    "up_to": None if t.up_to == "inf" else t.up_to,
                    "unit_amount": t.unit_amount,
                    "flat_amount": t.flat_amount,
                }
                for t in params.tiers
            ]
            if params.tiers
            else None
        ),
        unit_amount=params.unit_amount,
        transform_quantity=dump(params.transform_quantity),
        lookup_key=params.lookup_key,
        nickname=params.nickname,
        tax_behavior=params.tax_behavior or "unspecified",
        metadata_=merge_metadata({}, params.metadata),
    )
    if params.lookup_key is not None:
        await _claim_lookup_key(uow, ctx, params.lookup_key, bool(params.transfer_lookup_key), price.id)
    uow.prices.add(price)
    outbox.record(uow, ctx, "price.created", render_price(price))
    return price


async def update_price(uow: UnitOfWork, ctx: Ctx, price_id: str, params: PriceUpdateParams) -> Price:
    """Prices are immutable but for these fields (changed under the row's lock); record `price.updated`."""
    price = await uow.prices.get_for_update(ctx.scope, price_id)
    if price is None:
        raise ResourceMissing("price", price_id)
    before = render_price(price)
    sent = params.sent()
    if params.active is not None:
        price.active = params.active
    if "nickname" in sent:
        price.nickname = blank(params.nickname)
    if params.tax_behavior is not None:
        if price.tax_behavior != "unspecified" and params.tax_behavior != price.tax_behavior:
            raise InvalidRequest("tax_behavior can only be set once.", param="tax_behavior")
        price.tax_behavior = params.tax_behavior
    if params.lookup_key is not None:
        await _claim_lookup_key(uow, ctx, params.lookup_key, bool(params.transfer_lookup_key), price.id)
        price.lookup_key = params.lookup_key
    if "metadata" in sent:
        price.metadata_ = merge_metadata(price.metadata_, params.metadata)
    after = render_price(price)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "price.updated", after, previous=changed)
    return price


async def list_prices(uow: UnitOfWork, ctx: Ctx, params: PriceListParams) -> Page[Price]:
    """Prices newest first, by product, type, currency, interval, lookup keys."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.prices.find(
        ctx.scope,
        cursor,
        active=params.active,
        product=params.product,
        type=params.type,
        currency=params.currency.lower() if params.currency else None,
        interval=params.recurring.interval if params.recurring else None,
        lookup_keys=params.lookup_keys,
        created=created_bounds(params.created),
    )


def whole_amount(decimal: Decimal | None, amount: int | None, param: str) -> int | None:
    """`unit_amount_decimal` as integer minor units: amounts are exact integers here, so a
    fraction of a minor unit is refused (not rounded away); giving both must agree."""
    if decimal is None:
        return amount
    if decimal != decimal.to_integral_value() or decimal < 0:
        raise InvalidRequest(
            f"{param} must be a whole number of the currency's minor unit here (amounts are exact integers); "
            f"{decimal} is not.",
            code="parameter_unsupported",
            param=param,
        )
    if amount is not None and amount != int(decimal):
        raise InvalidRequest("Give unit_amount or unit_amount_decimal, not both.", param=param)
    return int(decimal)


async def inline_price(uow: UnitOfWork, ctx: Ctx, data: ItemPriceData, param: str) -> Price:
    """The price a subscription item's `price_data` describes, recorded with `price.created`."""
    amount = whole_amount(data.unit_amount_decimal, data.unit_amount, f"{param}[unit_amount_decimal]")
    if amount is None:
        raise ParameterMissing(f"{param}[unit_amount]")
    return await create_price(
        uow,
        ctx,
        PriceCreateParams(
            currency=data.currency,
            product=data.product,
            unit_amount=amount,
            recurring=RecurringParams(interval=data.recurring.interval, interval_count=data.recurring.interval_count),
            tax_behavior=data.tax_behavior,
        ),
    )
