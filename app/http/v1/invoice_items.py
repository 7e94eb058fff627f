"""/v1/invoiceitems."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.billing_shapes import InvoiceItemObject
from app.params.base import ExpandParams, RetrieveParams
from app.params.invoice_items import InvoiceItemCreateParams, InvoiceItemListParams, InvoiceItemUpdateParams
from app.services import invoice_items as item_service

router = APIRouter(tags=["invoiceitems"])
II = "invoiceitem"


class InvoiceItemDeleteParams(ExpandParams):
    pass


@router.post("/v1/invoiceitems", **documented(InvoiceItemObject, InvoiceItemCreateParams))
async def create_invoice_item(call: Call) -> Response:
    """Create an invoice item: pending until an invoice takes it, or on the draft `invoice` given."""
    p = call.parse(InvoiceItemCreateParams)
    return await call.write(lambda uow: item_service.create(uow, call.ctx, p), II, expand=p.expand)


@router.get("/v1/invoiceitems", **documented(InvoiceItemObject, InvoiceItemListParams, is_list=True))
async def list_invoice_items(call: Call) -> Response:
    """List invoice items, newest first; `pending=true` for those no invoice has taken."""
    p = call.parse(InvoiceItemListParams)
    return await call.read(
        lambda uow: item_service.list_(uow, call.ctx, p), II, expand=p.expand, url="/v1/invoiceitems"
    )


@router.get("/v1/invoiceitems/{item}", **documented(InvoiceItemObject, RetrieveParams))
async def retrieve_invoice_item(item: str, call: Call) -> Response:
    """Retrieve an invoice item."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: item_service.get(uow, call.ctx, item), II, expand=p.expand)


@router.post("/v1/invoiceitems/{item}", **documented(InvoiceItemObject, InvoiceItemUpdateParams))
async def update_invoice_item(item: str, call: Call) -> Response:
    """Update a pending invoice item (or one on a draft invoice)."""
    p = call.parse(InvoiceItemUpdateParams)
    return await call.write(lambda uow: item_service.update(uow, call.ctx, item, p), II, expand=p.expand)


@router.delete("/v1/invoiceitems/{item}", **documented(InvoiceItemObject, InvoiceItemDeleteParams))
async def delete_invoice_item(item: str, call: Call) -> Response:
    """Delete a pending invoice item (or one on a draft invoice)."""
    call.parse(InvoiceItemDeleteParams)
    return await call.write(lambda uow: item_service.delete(uow, call.ctx, item), II)
