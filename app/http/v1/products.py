"""/v1/products and /v1/prices."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.products import DeletedProductObject, PriceObject, ProductObject
from app.params.base import Params, RetrieveParams
from app.params.products import (
    PriceCreateParams,
    PriceListParams,
    PriceUpdateParams,
    ProductCreateParams,
    ProductListParams,
    ProductUpdateParams,
)
from app.services import products as product_service

router = APIRouter(tags=["products"])


@router.post("/v1/products", **documented(ProductObject, ProductCreateParams))
async def create_product(call: Call) -> Response:
    """Create a product."""
    p = call.parse(ProductCreateParams)
    return await call.write(lambda uow: product_service.create_product(uow, call.ctx, p), "product", expand=p.expand)


@router.get("/v1/products", **documented(ProductObject, ProductListParams, is_list=True))
async def list_products(call: Call) -> Response:
    """List products, newest first."""
    p = call.parse(ProductListParams)
    return await call.read(
        lambda uow: product_service.list_products(uow, call.ctx, p), "product", expand=p.expand, url="/v1/products"
    )


@router.get("/v1/products/{product}", **documented(ProductObject, RetrieveParams))
async def retrieve_product(product: str, call: Call) -> Response:
    """Retrieve a product."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: product_service.get_product(uow, call.ctx, product), "product", expand=p.expand)


class ProductDeleteParams(Params):
    pass


@router.delete("/v1/products/{product}", **documented(DeletedProductObject, ProductDeleteParams))
async def delete_product(product: str, call: Call) -> Response:
    """Delete a product without prices (one with prices is archived with active=false)."""
    call.parse(ProductDeleteParams)
    return await call.write(lambda uow: product_service.delete_product(uow, call.ctx, product), "product")


@router.post("/v1/products/{product}", **documented(ProductObject, ProductUpdateParams))
async def update_product(product: str, call: Call) -> Response:
    """Update a product."""
    p = call.parse(ProductUpdateParams)
    return await call.write(
        lambda uow: product_service.update_product(uow, call.ctx, product, p), "product", expand=p.expand
    )


@router.post("/v1/prices", **documented(PriceObject, PriceCreateParams))
async def create_price(call: Call) -> Response:
    """Create a price: one-time or recurring, per unit or tiered."""
    p = call.parse(PriceCreateParams)
    return await call.write(lambda uow: product_service.create_price(uow, call.ctx, p), "price", expand=p.expand)


@router.get("/v1/prices", **documented(PriceObject, PriceListParams, is_list=True))
async def list_prices(call: Call) -> Response:
    """List prices, newest first; filter by `product`, `type`, `currency`, `recurring[interval]`, `active`."""
    p = call.parse(PriceListParams)
    return await call.read(
        lambda uow: product_service.list_prices(uow, call.ctx, p), "price", expand=p.expand, url="/v1/prices"
    )


@router.get("/v1/prices/{price}", **documented(PriceObject, RetrieveParams))
async def retrieve_price(price: str, call: Call) -> Response:
    """Retrieve a price (`expand[]=tiers` includes its tiers)."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: product_service.get_price(uow, call.ctx, price), "price", expand=p.expand)


@router.post("/v1/prices/{price}", **documented(PriceObject, PriceUpdateParams))
async def update_price(price: str, call: Call) -> Response:
    """Update a price's active flag, nickname, lookup key, tax behavior or metadata."""
    p = call.parse(PriceUpdateParams)
    return await call.write(lambda uow: product_service.update_price(uow, call.ctx, price, p), "price", expand=p.expand)
