"""Invoice use cases: drafts and lines, finalize, pay, void, mark uncollectible; period invoices for
subscriptions. Payments are simulated: test cards succeed unless they are Stripe's decline cards.
"""

from __future__ import annotations

import secrets
from dataclasses import dataclass
from typing import Any

from app.context import Ctx
from app.domain.invoice_numbers import invoice_prefix, number_counter
from app.domain.lines import Line
from app.domain.periods import Period
from app.domain.revenue_recovery import RetryPolicy, next_attempt
from app.domain.test_payment_methods import DECLINING_BY_LAST4, ChargeOutcome, TestCard, outcome
from app.errors import CardError, InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.invoices import line_body, render_invoices, totals_of
from app.objects.tax_ids import customer_tax_ids
from app.params.base import created_bounds
from app.params.invoices import (
    InvoiceAddLinesParams,
    InvoiceCreateParams,
    InvoiceLinesParams,
    InvoiceListParams,
    InvoicePayParams,
    InvoiceUpdateParams,
)
from app.params.payment_methods import known_types
from app.services import discounts as discount_service
from app.services import invoice_lines, locks
from app.services import tax_ids as tax_id_service
from app.services.common import blank, dump, merge_metadata, page_in_order
from app.services.pricing import price_amount, products_of
from app.services.subscription_events import change
from app.services.subscription_events import render as render_subscription
from app.store.models import Invoice, PaymentMethod, Subscription
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


class CardDeclined(CardError):
    pass


class PaymentDeclined(CardDeclined):
    """A charge of an invoice was declined: the attempt and its `invoice.payment_failed` are
    recorded (committed by the boundary) although the request fails, as Stripe records them."""

    keeps_changes = True


async def render(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> dict[str, Any]:
    return (await render_invoices(uow, ctx.scope, [invoice]))[0]


_render = render


async def get(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> Invoice:
    invoice = await uow.invoices.get(ctx.scope, invoice_id)
    if invoice is None or invoice.deleted:
        raise ResourceMissing("invoice", invoice_id)
    return invoice


def new_invoice(
    ctx: Ctx, *, customer_id: str, subscription_id: str | None, collection_method: str, currency: str, **fields: Any
) -> Invoice:
    now = ctx.now()
    return Invoice(
        id=new_id("in", 24),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=now,
        customer_id=customer_id,
        subscription_id=subscription_id,
        status="draft",
        collection_method=collection_method,
        currency=currency,
        lines=[],
        amount_paid=0,
        attempt_count=0,
        discounts=[],
        starting_balance=0,
        total=0,
        period_start=fields.pop("period_start", now),
        period_end=fields.pop("period_end", now),
        status_transitions={},
        access_token=secrets.token_urlsafe(24),
        metadata_=fields.pop("metadata", {}),
        **fields,
    )


async def create(uow: UnitOfWork, ctx: Ctx, params: InvoiceCreateParams) -> Invoice:
    """A draft invoice for a customer (lines are added with add_lines); records `invoice.created`."""
    customer = await locks.customer(uow, ctx, params.customer, param="customer")
    currency = (params.currency or customer.currency or "usd").lower()
    subscription_id = None
    if params.subscription is not None:
        sub = await uow.subscriptions.get(ctx.scope, params.subscription)
        if sub is None or sub.customer_id != customer.id:
            raise ResourceMissing("subscription", params.subscription, param="subscription")
        subscription_id, currency = sub.id, sub.currency
    method = params.collection_method or "charge_automatically"
    if method == "send_invoice" and params.days_until_due is None and params.due_date is None:
        raise InvalidRequest(
            "Missing required param: days_until_due (required with collection_method=send_invoice).",
            code="parameter_missing",
            param="days_until_due",
        )
    invoice = uow.invoices.add(
        new_invoice(
            ctx,
            customer_id=customer.id,
            subscription_id=subscription_id,
            collection_method=method,
            currency=currency,
            days_until_due=params.days_until_due,
            description=params.description,
            billing_reason="manual",
            metadata=merge_metadata({}, params.metadata),
        )
    )
    if params.due_date is not None:
        if params.due_date <= ctx.now():
            raise InvalidRequest("due_date must be in the future.", param="due_date")
        invoice.due_date = params.due_date
    # The customer's invoice footer is the invoice's unless it gives its own (Stripe's default).
    footer = params.footer if params.footer is not None else (customer.invoice_settings or {}).get("footer")
    invoice.details = _details({"footer": footer}, params)
    await _presentation(uow, ctx, invoice, params)
    if params.pending_invoice_items_behavior == "include":
        pending = await uow.invoice_items.pending(ctx.scope, customer.id, subscription_id, lock=True)
        invoice.lines = invoice_lines.take_items(invoice, pending)
    if params.discounts is not None:
        invoice.discounts = await discount_service.redeem_all(
            uow, ctx, params.discounts, customer, "discounts", invoice=invoice
        )
    else:
        invoice.discounts = await discount_service.inherited(uow, ctx, customer, None)
    await invoice_lines.reprice(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.created", await _render(uow, ctx, invoice))
    return invoice


async def update(uow: UnitOfWork, ctx: Ctx, invoice_id: str, params: InvoiceUpdateParams) -> Invoice:
    """A draft changes freely; a finalized invoice only its metadata (Stripe's rule)."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.deleted:
        raise ResourceMissing("invoice", invoice_id)
    sent = params.sent() - {"expand"}
    if invoice.status != "draft" and sent - {"metadata"}:
        raise InvalidRequest(
            f"A finalized invoice can only update its metadata; {sorted(sent - {'metadata'})[0]} cannot change.",
            code="invoice_not_editable",
            param=sorted(sent - {"metadata"})[0],
        )
    before = await _render(uow, ctx, invoice)
    if "description" in sent:
        invoice.description = blank(params.description)
    if "metadata" in sent:
        invoice.metadata_ = merge_metadata(invoice.metadata_, params.metadata)
    if params.collection_method is not None:
        invoice.collection_method = params.collection_method
    if params.days_until_due is not None:
        invoice.days_until_due = params.days_until_due
    invoice.details = _details(dict(invoice.details or {}), params)
    await _presentation(uow, ctx, invoice, params)
    if params.due_date is not None:
        if params.due_date <= ctx.now():
            raise InvalidRequest("due_date must be in the future.", param="due_date")
        invoice.due_date = params.due_date
    if invoice.collection_method == "send_invoice" and invoice.days_until_due is None and invoice.due_date is None:
        raise InvalidRequest("collection_method=send_invoice needs days_until_due or due_date.", param="days_until_due")
    if params.discounts is not None:
        customer = await uow.customers.get(ctx.scope, invoice.customer_id)
        assert customer is not None
        invoice.discounts = await discount_service.redeem_all(
            uow, ctx, params.discounts, customer, "discounts", currency=invoice.currency, invoice=invoice
        )
        await invoice_lines.reprice(uow, ctx, invoice)
    after = await _render(uow, ctx, invoice)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "invoice.updated", after, previous=changed)
    return invoice


async def delete(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> Invoice:
    """Delete a draft (a finalized invoice is voided instead); its invoice items are pending again."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.deleted:
        raise ResourceMissing("invoice", invoice_id)
    if invoice.status != "draft":
        raise InvalidRequest(
            f"You can only delete draft invoices; this one is {invoice.status} (void it instead).",
            code="invoice_not_editable",
        )
    body = await _render(uow, ctx, invoice)
    for item in await uow.invoice_items.on_invoice(ctx.scope, invoice.id):
        item.invoice_id = None
    invoice.deleted = True
    outbox.record(uow, ctx, "invoice.deleted", body)
    return invoice


async def add_lines(uow: UnitOfWork, ctx: Ctx, invoice_id: str, params: InvoiceAddLinesParams) -> Invoice:
    """Add lines to a draft: an amount, or a price times a quantity."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status != "draft":
        raise InvalidRequest("Lines can only be added to a draft invoice.", code="invoice_not_editable")
    before = await _render(uow, ctx, invoice)
    lines = list(invoice.lines or [])
    period = Period(invoice.period_start, invoice.period_end)
    for i, line in enumerate(params.lines):
        if line.pricing is not None:
            price = await uow.prices.get(ctx.scope, line.pricing.price)
            if price is None:
                raise ResourceMissing("price", line.pricing.price, param=f"lines[{i}][pricing][price]")
            if price.currency != invoice.currency:
                raise InvalidRequest(
                    f"The price {price.id} is in {price.currency}; this invoice is in {invoice.currency}.",
                    param=f"lines[{i}][pricing][price]",
                )
            product = (await products_of(uow, ctx, [price])).get(price.product_id)
            quantity = line.quantity or 1
            domain_line = Line(
                amount=price_amount(price, quantity),
                description=line.description or (product.name if product else price.nickname) or price.id,
                period=period,
                quantity=quantity,
                price_id=price.id,
                product_id=price.product_id,
                unit_amount=price.unit_amount,
            )
        elif line.amount is not None:
            domain_line = Line(amount=line.amount, description=line.description or "", period=period)
        else:
            raise InvalidRequest(
                "Each line needs an amount or pricing[price].", code="parameter_missing", param=f"lines[{i}][amount]"
            )
        stored = invoice_lines.record(invoice, domain_line, subscription_id=invoice.subscription_id)
        stored["metadata"] = dict(line.metadata or {})
        lines.append(stored)
    invoice.lines = lines
    if "invoice_metadata" in params.sent():
        invoice.metadata_ = merge_metadata(invoice.metadata_, params.invoice_metadata)
    await invoice_lines.reprice(uow, ctx, invoice)
    after = await _render(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.updated", after, previous=outbox.previous_attributes(before, after))
    return invoice


async def _finalize(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    """Number it, fix its discounts, and settle it against the customer's balance. The caller
    holds the customer's lock (every path to here locks the invoice's owner first)."""
    now = ctx.now()
    customer = await uow.customers.get(ctx.scope, invoice.customer_id)
    assert customer is not None
    await invoice_lines.reprice(uow, ctx, invoice)
    await invoice_lines.settle_balance(uow, ctx, invoice, customer)
    await invoice_lines.use_up(uow, ctx, invoice)
    # Customer-level sequencing, Stripe's default: PREFIX-0001, PREFIX-0002, ... from a counter
    # that concurrent finalizations cannot both take (and a unique index behind it). The counter
    # is the prefix's: two customers whose derived prefixes collide share it, so numbers stay unique.
    if invoice.number is None:  # else the merchant's chosen number
        prefix = invoice_prefix(invoice.customer_id, customer.invoice_prefix)
        sequence = await uow.counters.next(ctx.scope, number_counter(invoice.customer_id, customer.invoice_prefix))
        invoice.number = f"{prefix}-{sequence:04d}"
    invoice.status = "open"
    invoice.status_transitions = {**(invoice.status_transitions or {}), "finalized_at": now}
    invoice.hosted_invoice_url = f"{ctx.base_url.rstrip('/')}/invoices/{invoice.access_token}"
    # The customer's tax IDs as they are now: a finalized invoice keeps them (Stripe's customer_tax_ids).
    held = await uow.tax_ids.of_customer(ctx.scope, customer.id)
    invoice.details = {**(invoice.details or {}), "customer_tax_ids": customer_tax_ids(held)}
    if invoice.collection_method == "send_invoice" and invoice.due_date is None:
        invoice.due_date = now + 86400 * (invoice.days_until_due or 30)


def _details(details: dict[str, Any], params: InvoiceCreateParams | InvoiceUpdateParams) -> dict[str, Any]:
    """footer, statement_descriptor and custom_fields as sent ("" unsets)."""
    sent = params.sent()
    for name in ("footer", "statement_descriptor"):
        if name in sent:
            details[name] = blank(getattr(params, name))
    if "custom_fields" in sent:
        fields = blank(params.custom_fields)
        details["custom_fields"] = [{"name": f.name, "value": f.value} for f in fields] if fields else None
    return details


async def _presentation(
    uow: UnitOfWork, ctx: Ctx, invoice: Invoice, params: InvoiceCreateParams | InvoiceUpdateParams
) -> None:
    """The draft's number, payment method, effective date, tax IDs, payment method types, shipping
    details and PDF page size, as sent ("" unsets)."""
    sent = params.sent()
    details = dict(invoice.details or {})
    if "auto_advance" in sent or "automatically_finalizes_at" in sent:
        # auto_advance: the draft finalizes (and is collected) on its own, an hour after it was
        # made unless automatically_finalizes_at says when; false keeps it for finalize and pay.
        at = params.automatically_finalizes_at
        if params.auto_advance is False and at is not None:
            raise InvalidRequest("automatically_finalizes_at needs auto_advance.", param="automatically_finalizes_at")
        if at is not None and at <= ctx.now():
            raise InvalidRequest(
                "automatically_finalizes_at must be in the future.", param="automatically_finalizes_at"
            )
        invoice.automatically_finalizes_at = (
            None if params.auto_advance is False else at or max(invoice.created + 3600, ctx.now())
        )
    if "number" in sent:
        number = blank(params.number)
        if number is not None and await uow.invoices.with_number(ctx.scope, number) not in (None, invoice.id):
            raise InvalidRequest(f"Invoice number {number} is in use.", code="resource_already_exists", param="number")
        invoice.number = number
    if "default_payment_method" in sent:
        wanted = blank(params.default_payment_method)
        if wanted is not None:
            pm = await uow.payment_methods.get(ctx.scope, wanted)
            if pm is None or pm.customer_id != invoice.customer_id:
                raise InvalidRequest(
                    f"The payment method {wanted} is not attached to the invoice's customer.",
                    code="resource_missing",
                    param="default_payment_method",
                )
        details["default_payment_method"] = wanted
    if "effective_at" in sent:
        details["effective_at"] = blank(params.effective_at)
    if "account_tax_ids" in sent:
        ids = await tax_id_service.merchants_own(uow, ctx, blank(params.account_tax_ids) or [], "account_tax_ids")
        details["account_tax_ids"] = ids or None
    if params.payment_settings is not None and "payment_method_types" in params.payment_settings.sent():
        types = known_types(
            blank(params.payment_settings.payment_method_types) or [], "payment_settings[payment_method_types]"
        )
        details["payment_method_types"] = types or None
    if "shipping_details" in sent:
        shipping = blank(params.shipping_details)
        details["shipping_details"] = dump(shipping) if shipping is not None else None
    if params.rendering is not None:
        rendering = dict(details.get("rendering") or {})
        if "amount_tax_display" in params.rendering.sent():
            rendering["amount_tax_display"] = blank(params.rendering.amount_tax_display)
        if params.rendering.pdf is not None:
            rendering["pdf"] = {"page_size": params.rendering.pdf.page_size or "auto"}
        details["rendering"] = rendering
    invoice.details = details


def refuse_auto_advance(auto_advance: bool | None) -> None:
    """A manual invoice is finalized and collected when asked, never on its own (that schedule comes
    with test clocks): `auto_advance=false` is what happens; `true` is refused, not ignored."""
    if auto_advance:
        raise InvalidRequest(
            "auto_advance=true is not supported: this service finalizes and collects a manual invoice only when "
            "you call finalize and pay.",
            code="parameter_unsupported",
            param="auto_advance",
        )


async def finalize(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> Invoice:
    """Draft -> open (numbered, with a hosted page); a zero total is paid at once. Records `invoice.finalized`."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status != "draft":
        raise InvalidRequest(
            f"This invoice is already finalized (status {invoice.status}).", code="invoice_not_editable"
        )
    await _finalize(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.finalized", await _render(uow, ctx, invoice))
    if amount_due(invoice) == 0:
        await _mark_paid(uow, ctx, invoice)
    return invoice


def amount_due(invoice: Invoice) -> int:
    return invoice_lines.totals(invoice).amount_due


async def _mark_paid(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, *, charged: bool = False) -> None:
    if charged:
        invoice.attempt_count += 1
    invoice.status = "paid"
    invoice.next_payment_attempt = None
    invoice.amount_paid = amount_due(invoice)
    invoice.status_transitions = {**(invoice.status_transitions or {}), "paid_at": ctx.now()}
    body = await _render(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.paid", body)
    outbox.record(uow, ctx, "invoice.payment_succeeded", body)


def declining_card(pm: PaymentMethod | None) -> TestCard | None:
    """The decline test card this method is, if it is one (its charges fail)."""
    if pm is None or pm.type != "card":
        return None
    return DECLINING_BY_LAST4.get(str((pm.details or {}).get("last4")))


def charge_outcome(ctx: Ctx, pm: PaymentMethod | None) -> ChargeOutcome:
    """What a (simulated) charge on this method does now: no method declines; a test card's
    own behaviour (declines, or waits for the customer's authentication unless off-session)."""
    if pm is None:
        return ChargeOutcome.DECLINED
    if pm.type != "card":
        return ChargeOutcome.SUCCEEDED
    return outcome(str((pm.details or {}).get("last4")), off_session=ctx.off_session)


def charges(pm: PaymentMethod | None) -> bool:
    """Whether a (simulated) charge on this method can succeed (not a decline card)."""
    return pm is not None and declining_card(pm) is None


async def _requires_action(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    """The payment waits for the customer's authentication (3-D Secure): on the hosted invoice
    page, with `invoice.payment_action_required`; no retry is scheduled for it."""
    invoice.attempt_count += 1
    invoice.next_payment_attempt = None
    invoice.details = {**(invoice.details or {}), "requires_action": True}
    outbox.record(uow, ctx, "invoice.payment_action_required", await _render(uow, ctx, invoice))


async def _charge(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, pm: PaymentMethod | None) -> bool:
    """One automatic attempt: paid, waiting for authentication, or failed (a retry scheduled)."""
    result = charge_outcome(ctx, pm)
    if result is ChargeOutcome.SUCCEEDED:
        await _mark_paid(uow, ctx, invoice, charged=True)
        return True
    if result is ChargeOutcome.REQUIRES_ACTION:
        await _requires_action(uow, ctx, invoice)
        return False
    await schedule_retry(uow, ctx, invoice)
    await _payment_failed(uow, ctx, invoice)
    return False


async def authenticate(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, *, completed: bool) -> None:
    """The customer's answer to the test authentication step of the hosted invoice page:
    completed, the payment goes through (and its subscription is active again); failed, the
    attempt fails (`invoice.payment_failed`) and the invoice stays open for another try."""
    locked = await locks.invoice(uow, ctx, invoice.id)
    if locked.status != "open" or not (locked.details or {}).get("requires_action"):
        raise InvalidRequest("This invoice has no payment waiting for authentication.", code="invoice_not_open")
    if not completed:
        await _payment_failed(uow, ctx, locked)
        return
    locked.details = {k: v for k, v in (locked.details or {}).items() if k != "requires_action"}
    await _mark_paid(uow, ctx, locked)
    await _settle_subscription(uow, ctx, locked)


async def payment_method_for(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> PaymentMethod | None:
    """The method an invoice is charged to: its own default, else its subscription's, else the customer's."""
    own = (invoice.details or {}).get("default_payment_method")
    if own is not None:
        pm = await uow.payment_methods.get(ctx.scope, own)
        if pm is not None and pm.customer_id == invoice.customer_id:
            return pm
    sub = await uow.subscriptions.get(ctx.scope, invoice.subscription_id) if invoice.subscription_id else None
    return await method_to_charge(uow, ctx, invoice.customer_id, sub)


async def method_to_charge(
    uow: UnitOfWork, ctx: Ctx, customer_id: str, sub: Subscription | None
) -> PaymentMethod | None:
    """The subscription's default payment method, else the customer's invoice default."""
    candidates: list[str] = []
    if sub is not None and sub.default_payment_method:
        candidates.append(sub.default_payment_method)
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is not None and (customer.invoice_settings or {}).get("default_payment_method"):
        candidates.append(customer.invoice_settings["default_payment_method"])
    for pm_id in candidates:
        pm = await uow.payment_methods.get(ctx.scope, pm_id)
        if pm is not None and pm.customer_id == customer_id:
            return pm
    return None


async def pay(uow: UnitOfWork, ctx: Ctx, invoice_id: str, params: InvoicePayParams) -> Invoice:
    """Pay an open invoice (out of band, or by charging a payment method)."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status == "draft":
        await _finalize(uow, ctx, invoice)
        outbox.record(uow, ctx, "invoice.finalized", await _render(uow, ctx, invoice))
    if invoice.status != "open":
        raise InvalidRequest(
            f"Invoice is already {invoice.status}; only open invoices can be paid.", code="invoice_not_open"
        )
    if not params.paid_out_of_band:
        if params.payment_method is not None:
            pm = await uow.payment_methods.get(ctx.scope, params.payment_method)
            if pm is None or pm.customer_id != invoice.customer_id:
                raise ResourceMissing("PaymentMethod", params.payment_method, param="payment_method")
        else:
            pm = await payment_method_for(uow, ctx, invoice)
        if pm is None:
            raise InvalidRequest(
                "This customer has no attached payment source or default payment method.",
                code="invoice_no_payment_method_types",
            )
        if params.off_session:
            ctx.charge_off_session()
        result = charge_outcome(ctx, pm)
        if result is ChargeOutcome.REQUIRES_ACTION:
            await _requires_action(uow, ctx, invoice)
            raise PaymentDeclined(
                "This payment requires the customer's authentication (3-D Secure) before it can complete: "
                "they can authenticate on the hosted invoice page.",
                code="invoice_payment_intent_requires_action",
                param="payment_method",
            )
        if result is ChargeOutcome.DECLINED:
            await _payment_failed(uow, ctx, invoice)
            card = declining_card(pm)
            if card is None:  # a 3-D Secure card charged off-session
                raise PaymentDeclined(
                    "Your card was declined: this payment needs the customer's authentication, and they are "
                    "not present (off_session).",
                    code="authentication_required",
                    decline_code="authentication_required",
                    param="payment_method",
                )
            raise PaymentDeclined(
                "Your card was declined.", code=card.error_code, decline_code=card.decline_code, param="payment_method"
            )
    await _mark_paid(uow, ctx, invoice, charged=not params.paid_out_of_band)
    await _settle_subscription(uow, ctx, invoice)
    return invoice


async def _settle_subscription(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    """A paid invoice brings its past-due, unpaid or incomplete subscription back to active."""
    if not invoice.subscription_id:
        return
    sub = await uow.subscriptions.get(ctx.scope, invoice.subscription_id)
    if sub is not None and (sub.pending_update or {}).get("invoice") == invoice.id:
        # Imported here: subscription changes build on invoices, not the other way round.
        from app.services import subscription_changes

        async def applied(s: Subscription) -> None:
            await subscription_changes.apply_pending(uow, ctx, s)

        await change(uow, ctx, sub, applied)
        outbox.record(
            uow, ctx, "customer.subscription.pending_update_applied", await render_subscription(uow, ctx, sub)
        )
        return
    if sub is not None and sub.status in ("past_due", "unpaid", "incomplete") and sub.latest_invoice == invoice.id:
        await change(uow, ctx, sub, lambda s: setattr(s, "status", "active"))


async def void(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> Invoice:
    """Open -> void; records `invoice.voided`."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status != "open":
        raise InvalidRequest(
            f"You can only void an open invoice; this one is {invoice.status}.", code="invoice_not_open"
        )
    invoice.status = "void"
    invoice.status_transitions = {**(invoice.status_transitions or {}), "voided_at": ctx.now()}
    outbox.record(uow, ctx, "invoice.voided", await _render(uow, ctx, invoice))
    return invoice


@dataclass(frozen=True)
class InvoiceMail:
    """What the mail of a sent invoice says (composed, in the customer's language, by the caller)."""

    to: str
    locale: str | None
    business_name: str | None
    number: str
    amount_due: int
    currency: str
    due_date: int | None
    paid: bool
    hosted_invoice_url: str


async def send(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> tuple[Invoice, InvoiceMail]:
    """Send a finalized invoice to its customer by mail, out of the normal schedule (Stripe's
    /send, https://docs.stripe.com/api/invoices/send): records `invoice.sent`; the mail goes out
    once the change is committed. Only for `collection_method=send_invoice`, as on Stripe."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.collection_method != "send_invoice":
        raise InvalidRequest(
            "You can only manually send an invoice if its collection method is 'send_invoice'.",
            code="invoice_not_editable",
        )
    if invoice.status in ("draft", "void") or invoice.hosted_invoice_url is None:
        raise InvalidRequest(
            f"You can only send a finalized invoice that is not void; this one is {invoice.status}.",
            code="invoice_not_open",
        )
    customer = await uow.customers.get(ctx.scope, invoice.customer_id)
    if customer is None or customer.deleted or not customer.email:
        raise InvalidRequest(
            "The invoice's customer has no email address to send it to; set the customer's email first.",
            code="email_invalid",
        )
    account = await uow.accounts.get(ctx.scope.account_id)
    settings = (account.settings if account else None) or {}
    business = (settings.get("business_profile") or {}).get("name") or (account.name if account else None)
    mail = InvoiceMail(
        to=customer.email,
        locale=(customer.preferred_locales or [None])[0],
        business_name=business,
        number=invoice.number or invoice.id,
        amount_due=0 if invoice.status == "paid" else max(totals_of(invoice).amount_due - invoice.amount_paid, 0),
        currency=invoice.currency,
        due_date=invoice.due_date,
        paid=invoice.status == "paid",
        hosted_invoice_url=invoice.hosted_invoice_url,
    )
    outbox.record(uow, ctx, "invoice.sent", await _render(uow, ctx, invoice))
    return invoice, mail


async def mark_uncollectible(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> Invoice:
    """Open -> uncollectible; records `invoice.marked_uncollectible`."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status != "open":
        raise InvalidRequest(
            f"You can only mark an open invoice uncollectible; this one is {invoice.status}.", code="invoice_not_open"
        )
    invoice.status = "uncollectible"
    invoice.status_transitions = {**(invoice.status_transitions or {}), "marked_uncollectible_at": ctx.now()}
    outbox.record(uow, ctx, "invoice.marked_uncollectible", await _render(uow, ctx, invoice))
    return invoice


async def list_(uow: UnitOfWork, ctx: Ctx, params: InvoiceListParams) -> Page[Invoice]:
    """Invoices newest first."""
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.invoices.find(
        ctx.scope,
        cursor,
        customer=params.customer,
        subscription=params.subscription,
        status=params.status,
        collection_method=params.collection_method,
        created=created_bounds(params.created),
        due_date=created_bounds(params.due_date),
    )


async def for_subscription(
    uow: UnitOfWork,
    ctx: Ctx,
    sub: Subscription,
    lines: list[Line],
    *,
    period: Period,
    reason: str,
    take_pending: bool = True,
) -> Invoice:
    """An invoice of a subscription: the given lines, then its pending invoice items (prorations),
    discounted by the subscription's (or customer's) discounts. Recorded as `invoice.created`."""
    invoice = uow.invoices.add(
        new_invoice(
            ctx,
            customer_id=sub.customer_id,
            subscription_id=sub.id,
            collection_method=sub.collection_method,
            currency=sub.currency,
            period_start=period.start,
            period_end=period.end,
            days_until_due=sub.days_until_due,
            billing_reason=reason,
        )
    )
    stored = [invoice_lines.record(invoice, line, subscription_id=sub.id) for line in lines]
    if take_pending:
        pending = await uow.invoice_items.pending(ctx.scope, sub.customer_id, sub.id, lock=True)
        stored += invoice_lines.take_items(invoice, pending)
    invoice.lines = stored
    # What the subscription's invoice_settings and payment_settings say its invoices carry.
    settings = sub.settings or {}
    invoice.details = {
        **(invoice.details or {}),
        "account_tax_ids": (settings.get("invoice_settings") or {}).get("account_tax_ids"),
        "payment_method_types": (settings.get("payment_settings") or {}).get("payment_method_types"),
    }
    customer = await uow.customers.get(ctx.scope, sub.customer_id)
    assert customer is not None
    invoice.discounts = await discount_service.inherited(uow, ctx, customer, sub)
    await invoice_lines.reprice(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.created", await _render(uow, ctx, invoice))
    sub.latest_invoice = invoice.id
    return invoice


async def collect_later(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    """Finalize without charging: the invoice stays open for the customer to pay (default_incomplete)."""
    await _finalize(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.finalized", await _render(uow, ctx, invoice))


async def collect(uow: UnitOfWork, ctx: Ctx, invoice: Invoice, sub: Subscription | None) -> bool:
    """Finalize a period invoice (or a manual one that advances on its own) and try to collect it
    as the subscription says. True when paid."""
    invoice.automatically_finalizes_at = None
    pause = sub.pause_collection if sub is not None else None
    if pause is not None and pause.get("behavior") == "keep_as_draft":
        return False
    await _finalize(uow, ctx, invoice)
    outbox.record(uow, ctx, "invoice.finalized", await _render(uow, ctx, invoice))
    if pause is not None and pause.get("behavior") == "void":
        invoice.status = "void"
        invoice.status_transitions = {**invoice.status_transitions, "voided_at": ctx.now()}
        outbox.record(uow, ctx, "invoice.voided", await _render(uow, ctx, invoice))
        return False
    if pause is not None and pause.get("behavior") == "mark_uncollectible":
        invoice.status = "uncollectible"
        invoice.status_transitions = {**invoice.status_transitions, "marked_uncollectible_at": ctx.now()}
        outbox.record(uow, ctx, "invoice.marked_uncollectible", await _render(uow, ctx, invoice))
        return False
    if amount_due(invoice) == 0:
        await _mark_paid(uow, ctx, invoice)
        return True
    if invoice.collection_method == "send_invoice":
        return False
    return await _charge(uow, ctx, invoice, await payment_method_for(uow, ctx, invoice))


async def announce_overdue(uow: UnitOfWork, ctx: Ctx, invoice_id: str) -> None:
    """`invoice.overdue`, once, when an open invoice's due date has passed."""
    invoice = await locks.invoice(uow, ctx, invoice_id)
    if invoice.status != "open" or invoice.overdue_at is not None:
        return
    invoice.overdue_at = ctx.now()
    outbox.record(uow, ctx, "invoice.overdue", await _render(uow, ctx, invoice))


async def schedule_retry(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    """After a failed automatic charge: when the account's retry policy tries again (the
    `invoice.payment_failed` that follows carries it as next_payment_attempt)."""
    account = await uow.accounts.get(ctx.scope.account_id)
    policy = RetryPolicy.of(((account.settings if account else None) or {}).get("revenue_recovery"))
    if invoice.first_failed_at is None:
        invoice.first_failed_at = ctx.now()
    invoice.next_payment_attempt = next_attempt(policy, invoice.first_failed_at, invoice.attempt_count + 1)


async def retry(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> bool:
    """A due retry of an open subscription invoice: paid, or failed once more (True when paid)."""
    invoice.next_payment_attempt = None
    if await _charge(uow, ctx, invoice, await payment_method_for(uow, ctx, invoice)):
        await _settle_subscription(uow, ctx, invoice)
        return True
    return False


async def _payment_failed(uow: UnitOfWork, ctx: Ctx, invoice: Invoice) -> None:
    invoice.attempt_count += 1
    outbox.record(uow, ctx, "invoice.payment_failed", await _render(uow, ctx, invoice))


async def lines_page(uow: UnitOfWork, ctx: Ctx, invoice_id: str, params: InvoiceLinesParams) -> dict[str, Any]:
    """`GET /v1/invoices/{id}/lines`: the invoice's lines in order, paged by line id."""
    invoice = await get(uow, ctx, invoice_id)
    lines = [line_body(invoice, line) for line in invoice.lines or []]
    page, more = page_in_order(lines, [line["id"] for line in lines], params, "line_item")
    return {
        "object": "list",
        "data": page,
        "has_more": more,
        "url": f"/v1/invoices/{invoice.id}/lines",
    }
