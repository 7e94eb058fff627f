"""/v1/invoices."""

from __future__ import annotations

from fastapi import APIRouter, BackgroundTasks, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.billing_shapes import InvoiceLineItemObject
from app.objects.invoices import DeletedInvoiceObject, InvoiceObject
from app.params.base import RetrieveParams
from app.params.invoices import (
    InvoiceActionParams,
    InvoiceAddLinesParams,
    InvoiceCreateParams,
    InvoiceDeleteParams,
    InvoiceFinalizeParams,
    InvoiceLinesParams,
    InvoiceListParams,
    InvoicePayParams,
    InvoicePreviewParams,
    InvoiceUpdateParams,
)
from app.portal import invoice_mail
from app.services import invoices as invoice_service
from app.services import previews
from app.services.invoices import InvoiceMail
from app.store.models import Invoice
from app.store.uow import UnitOfWork

router = APIRouter(tags=["invoices"])
INV = "invoice"


@router.post("/v1/invoices", **documented(InvoiceObject, InvoiceCreateParams))
async def create_invoice(call: Call) -> Response:
    """Create a draft invoice."""
    p = call.parse(InvoiceCreateParams)
    return await call.write(lambda uow: invoice_service.create(uow, call.ctx, p), INV, expand=p.expand)


@router.get("/v1/invoices", **documented(InvoiceObject, InvoiceListParams, is_list=True))
async def list_invoices(call: Call) -> Response:
    """List invoices, newest first; filter by `customer`, `subscription`, `status`, `collection_method`."""
    p = call.parse(InvoiceListParams)
    return await call.read(
        lambda uow: invoice_service.list_(uow, call.ctx, p), INV, expand=p.expand, url="/v1/invoices"
    )


@router.post("/v1/invoices/create_preview", **documented(InvoiceObject, InvoicePreviewParams))
async def create_invoice_preview(call: Call) -> Response:
    """Preview the invoice a subscription, or a change to it (`subscription_details`), would bring:
    computed by the code the change runs, and nothing is stored."""
    p = call.parse(InvoicePreviewParams)
    return await call.read(lambda uow: previews.create_preview(uow, call.ctx, p), INV, expand=p.expand)


@router.get("/v1/invoices/{invoice}/lines", **documented(InvoiceLineItemObject, InvoiceLinesParams, is_list=True))
async def list_invoice_lines(invoice: str, call: Call) -> Response:
    """An invoice's lines, in order; each says whether it is a proration, and its period."""
    p = call.parse(InvoiceLinesParams)
    return await call.read(lambda uow: invoice_service.lines_page(uow, call.ctx, invoice, p), INV)


@router.get("/v1/invoices/{invoice}", **documented(InvoiceObject, RetrieveParams))
async def retrieve_invoice(invoice: str, call: Call) -> Response:
    """Retrieve an invoice."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: invoice_service.get(uow, call.ctx, invoice), INV, expand=p.expand)


@router.post("/v1/invoices/{invoice}", **documented(InvoiceObject, InvoiceUpdateParams))
async def update_invoice(invoice: str, call: Call) -> Response:
    """Update a draft (a finalized invoice: only its metadata)."""
    p = call.parse(InvoiceUpdateParams)
    return await call.write(lambda uow: invoice_service.update(uow, call.ctx, invoice, p), INV, expand=p.expand)


@router.delete("/v1/invoices/{invoice}", **documented(DeletedInvoiceObject, InvoiceDeleteParams))
async def delete_invoice(invoice: str, call: Call) -> Response:
    """Delete a draft; its invoice items are pending again."""
    call.parse(InvoiceDeleteParams)
    return await call.write(lambda uow: invoice_service.delete(uow, call.ctx, invoice), INV)


@router.post("/v1/invoices/{invoice}/add_lines", **documented(InvoiceObject, InvoiceAddLinesParams))
async def add_invoice_lines(invoice: str, call: Call) -> Response:
    """Add lines to a draft invoice: `lines[N][amount]` or `lines[N][pricing][price]` with a quantity."""
    p = call.parse(InvoiceAddLinesParams)
    return await call.write(lambda uow: invoice_service.add_lines(uow, call.ctx, invoice, p), INV, expand=p.expand)


@router.post("/v1/invoices/{invoice}/finalize", **documented(InvoiceObject, InvoiceFinalizeParams))
async def finalize_invoice(invoice: str, call: Call) -> Response:
    """Finalize a draft: it gets a number, a hosted page and a PDF."""
    p = call.parse(InvoiceFinalizeParams)
    invoice_service.refuse_auto_advance(p.auto_advance)
    return await call.write(lambda uow: invoice_service.finalize(uow, call.ctx, invoice), INV, expand=p.expand)


@router.post("/v1/invoices/{invoice}/pay", **documented(InvoiceObject, InvoicePayParams))
async def pay_invoice(invoice: str, call: Call) -> Response:
    """Pay an open invoice (simulated charge, or `paid_out_of_band=true`)."""
    p = call.parse(InvoicePayParams)
    return await call.write(lambda uow: invoice_service.pay(uow, call.ctx, invoice, p), INV, expand=p.expand)


@router.post("/v1/invoices/{invoice}/send", **documented(InvoiceObject, InvoiceActionParams))
async def send_invoice(invoice: str, call: Call, background: BackgroundTasks) -> Response:
    """Mail a finalized `send_invoice` invoice to its customer now (records `invoice.sent`). Unlike
    Stripe, test mode mails too (to MAIL_DIR unless SMTP_URL is set), so you can see what is sent."""
    p = call.parse(InvoiceActionParams)
    mails: list[InvoiceMail] = []

    async def send(uow: UnitOfWork) -> Invoice:
        sent, mail = await invoice_service.send(uow, call.ctx, invoice)
        mails.append(mail)
        return sent

    response = await call.write(send, INV, expand=p.expand)
    # After the commit (never for a replayed Idempotency-Key, which does not run the use case).
    for mail in mails:
        background.add_task(call.state.mailer.send, invoice_mail.compose(mail))
    return response


@router.post("/v1/invoices/{invoice}/void", **documented(InvoiceObject, InvoiceActionParams))
async def void_invoice(invoice: str, call: Call) -> Response:
    """Void an open invoice."""
    p = call.parse(InvoiceActionParams)
    return await call.write(lambda uow: invoice_service.void(uow, call.ctx, invoice), INV, expand=p.expand)


@router.post("/v1/invoices/{invoice}/mark_uncollectible", **documented(InvoiceObject, InvoiceActionParams))
async def mark_invoice_uncollectible(invoice: str, call: Call) -> Response:
    """Mark an open invoice uncollectible."""
    p = call.parse(InvoiceActionParams)
    return await call.write(
        lambda uow: invoice_service.mark_uncollectible(uow, call.ctx, invoice), INV, expand=p.expand
    )
