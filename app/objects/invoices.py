"""The `invoice` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.domain.invoice_totals import Totals, invoice_totals
from app.objects.customers import full_address, full_shipping
from app.objects.registry import ObjectType, register
from app.objects.tax_ids import customer_tax_ids
from app.scope import Scope
from app.store.models import Customer, Invoice, TaxId
from app.store.uow import UnitOfWork

# An invoice embeds its first 10 lines, as Stripe's does; the rest are read from /lines.
LINES_SHOWN = 10


class StatusTransitions(BaseModel):
    finalized_at: int | None
    marked_uncollectible_at: int | None
    paid_at: int | None
    voided_at: int | None


class DeletedInvoiceObject(BaseModel):
    """What deleting a draft answers (Stripe's deleted stub)."""

    id: str
    object: Literal["invoice"]
    deleted: Literal[True]


class InvoiceObject(BaseModel):
    id: str
    object: Literal["invoice"]
    amount_due: int
    amount_paid: int
    amount_remaining: int
    billing_reason: str | None
    collection_method: Literal["charge_automatically", "send_invoice"]
    created: int
    currency: str
    customer: str | dict[str, Any]
    customer_email: str | None
    due_date: int | None
    hosted_invoice_url: str | None
    invoice_pdf: str | None
    lines: dict[str, Any]
    livemode: bool
    metadata: dict[str, str]
    number: str | None
    parent: dict[str, Any] | None
    period_end: int
    period_start: int
    status: Literal["draft", "open", "paid", "uncollectible", "void"] | None
    status_transitions: StatusTransitions
    subtotal: int
    total: int


def totals_of(inv: Invoice, starting_balance: int | None = None) -> Totals:
    """The invoice's totals from its stored lines (and its starting balance, unless another is given)."""
    lines = inv.lines or []
    return invoice_totals(
        [int(line.get("amount", 0)) for line in lines],
        [[(d["discount"], int(d["amount"])) for d in line.get("discount_amounts") or []] for line in lines],
        inv.starting_balance if starting_balance is None else starting_balance,
    )


def line_body(inv: Invoice, line: dict[str, Any]) -> dict[str, Any]:
    """A stored line as the API sends it."""
    body = {**line, "pretax_credit_amounts": [], "subscription": inv.subscription_id, "subtotal": line.get("amount", 0)}
    quantity = line.get("quantity")
    body["quantity_decimal"] = None if quantity is None else str(quantity)
    return body


def total_of(invoice: Invoice) -> int:
    return totals_of(invoice).total


def _rendering(rendering: dict[str, Any] | None) -> dict[str, Any] | None:
    if rendering is None:
        return None
    return {
        "amount_tax_display": rendering.get("amount_tax_display"),
        "pdf": rendering.get("pdf"),
        "template": None,
        "template_version": None,
    }


def render_invoice(inv: Invoice, customer: Customer | None, tax_ids: list[TaxId] | None = None) -> dict[str, Any]:
    if inv.deleted:
        return {"id": inv.id, "object": "invoice", "deleted": True}
    totals = totals_of(inv)
    total, due = totals.total, totals.amount_due
    remaining = 0 if inv.status in ("paid", "void") else max(due - inv.amount_paid, 0)
    transitions = {
        "finalized_at": None,
        "marked_uncollectible_at": None,
        "paid_at": None,
        "voided_at": None,
        **(inv.status_transitions or {}),
    }
    finalized = inv.status != "draft"
    details = inv.details or {}
    hosted = inv.hosted_invoice_url
    return {
        "id": inv.id,
        "object": "invoice",
        "account_country": None,
        "account_name": None,
        "application": None,
        "amount_due": due,
        "amount_paid": inv.amount_paid,
        "amount_overpaid": 0,
        "amount_remaining": remaining,
        "amount_shipping": 0,
        "account_tax_ids": details.get("account_tax_ids"),
        "attempt_count": inv.attempt_count,
        "attempted": inv.attempt_count > 0 or inv.status == "paid",
        # Subscription invoices advance on their own; a manual one only when asked (auto_advance=false).
        "auto_advance": inv.status in ("draft", "open")
        and (inv.billing_reason != "manual" or inv.automatically_finalizes_at is not None),
        "automatic_tax": {
            "disabled_reason": None,
            "enabled": False,
            "liability": None,
            "provider": None,
            "status": None,
        },
        "automatically_finalizes_at": inv.automatically_finalizes_at if inv.status == "draft" else None,
        "billing_reason": inv.billing_reason,
        "collection_method": inv.collection_method,
        "created": inv.created,
        "currency": inv.currency,
        "customer": inv.customer_id,
        "customer_account": None,
        "custom_fields": details.get("custom_fields"),
        "customer_address": full_address(customer.address) if customer else None,
        "customer_email": customer.email if customer else None,
        "customer_name": customer.name if customer else None,
        "customer_phone": customer.phone if customer else None,
        "customer_shipping": full_shipping(customer.shipping) if customer else None,
        "customer_tax_exempt": (customer.tax_exempt or "none") if customer else "none",
        # A draft shows the customer's tax IDs as they are; finalizing fixes them on the invoice.
        "customer_tax_ids": details["customer_tax_ids"]
        if "customer_tax_ids" in details
        else customer_tax_ids(tax_ids or []),
        "default_payment_method": details.get("default_payment_method"),
        "default_source": None,
        "default_tax_rates": [],
        "description": inv.description,
        "discounts": list(inv.discounts or []),
        "due_date": inv.due_date,
        "effective_at": details.get("effective_at") or transitions["finalized_at"],
        "ending_balance": (inv.ending_balance or 0) if finalized else None,
        "footer": details.get("footer"),
        "from_invoice": None,
        "hosted_invoice_url": hosted,
        "issuer": {"type": "self"},
        "last_finalization_error": None,
        "latest_revision": None,
        "invoice_pdf": f"{hosted}/pdf" if hosted else None,
        "lines": {
            "object": "list",
            "data": [line_body(inv, line) for line in (inv.lines or [])[:LINES_SHOWN]],
            "has_more": len(inv.lines or []) > LINES_SHOWN,
            "url": f"/v1/invoices/{inv.id}/lines",
        },
        "livemode": inv.livemode,
        "metadata": dict(inv.metadata_ or {}),
        "next_payment_attempt": inv.next_payment_attempt if inv.status == "open" else None,
        "number": inv.number,
        "on_behalf_of": None,
        "parent": (
            {
                "quote_details": None,
                "subscription_details": {"metadata": {}, "subscription": inv.subscription_id},
                "type": "subscription_details",
            }
            if inv.subscription_id
            else None
        ),
        "payment_settings": {
            "default_mandate": None,
            "payment_method_options": None,
            "payment_method_types": details.get("payment_method_types"),
        },
        "period_end": inv.period_end,
        "period_start": inv.period_start,
        "post_payment_credit_notes_amount": 0,
        "pre_payment_credit_notes_amount": 0,
        "receipt_number": None,
        "rendering": _rendering(details.get("rendering")),
        "shipping_cost": None,
        "shipping_details": full_shipping(details.get("shipping_details")) if details.get("shipping_details") else None,
        "starting_balance": inv.starting_balance,
        "statement_descriptor": details.get("statement_descriptor"),
        "status": inv.status,
        "status_transitions": transitions,
        "subtotal": totals.subtotal,
        "subtotal_excluding_tax": totals.subtotal,
        "test_clock": customer.test_clock_id if customer else None,
        "total": total,
        "total_discount_amounts": [{"amount": off, "discount": d} for d, off in totals.discounts],
        "total_excluding_tax": total,
        "total_pretax_credit_amounts": [],
        # No webhooks hold an invoice back here: they count as delivered when it is made.
        "webhooks_delivered_at": inv.created,
        "total_taxes": [],
    }


async def render_invoices(uow: UnitOfWork, scope: Scope, invoices: list[Invoice]) -> list[dict[str, Any]]:
    customers = await uow.customers.many(scope, [i.customer_id for i in invoices])
    drafts = sorted({i.customer_id for i in invoices if "customer_tax_ids" not in (i.details or {})})
    tax_ids = await uow.tax_ids.of_customers(scope, drafts)
    return [render_invoice(i, customers.get(i.customer_id), tax_ids.get(i.customer_id)) for i in invoices]


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> Invoice | None:
    return await uow.invoices.get(scope, object_id)


INVOICE = register(
    ObjectType(
        name="invoice",
        model=Invoice,
        render_many=render_invoices,
        loader=_load,
        expandable={
            "customer": "customer",
            "default_payment_method": "payment_method",
            "account_tax_ids": "tax_id",
            "parent.subscription_details.subscription": "subscription",
            "discounts": "discount",
            "test_clock": "test_helpers.test_clock",
        },
        always_null=frozenset(
            {
                "application",
                "default_source",
                "on_behalf_of",
                "latest_revision",
                "automatic_tax.liability.account",
                "from_invoice.invoice",
                "issuer.account",
                "shipping_cost.shipping_rate",
            }
        ),
    )
)
