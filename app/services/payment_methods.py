"""Payment method use cases: create (test tokens and test numbers), attach, detach (R9), update."""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.domain import payment_method_rules, payment_method_shapes
from app.domain.test_payment_methods import CARDS_BY_TOKEN, DECLINING_BY_LAST4, TestCard, card_for_number, fingerprint
from app.errors import CardError, InvalidRequest, ParameterMissing, ResourceMissing
from app.events import outbox
from app.ids import new_id
from app.objects.customers import render_one
from app.objects.payment_methods import render_payment_method
from app.objects.subscriptions import render_subscriptions
from app.params.payment_methods import (
    HAND_WRITTEN,
    CustomerPaymentMethodListParams,
    PaymentMethodCreateParams,
    PaymentMethodListParams,
    PaymentMethodUpdateParams,
)
from app.services import customers as customer_service
from app.services import locks
from app.services.common import dump, merge_metadata
from app.store.models import Customer, PaymentMethod
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


def _card_details(ctx: Ctx, card: TestCard, exp_month: int, exp_year: int) -> dict[str, Any]:
    return {
        "brand": card.brand,
        "checks": {"address_line1_check": None, "address_postal_code_check": None, "cvc_check": "pass"},
        "country": card.country,
        "display_brand": card.brand,
        "exp_month": exp_month,
        "exp_year": exp_year,
        "fingerprint": fingerprint(ctx.scope.account_id, card.number),
        "funding": card.funding,
        "generated_from": None,
        "last4": card.number[-4:],
        "networks": {"available": [card.brand], "preferred": None},
        "regulated_status": "unregulated",
        "three_d_secure_usage": {"supported": True},
        "wallet": None,
    }


def _exp_year(ctx: Ctx) -> int:
    return ctx.clock.now().year + 3


def _iban_ok(iban: str) -> bool:
    iban = iban.replace(" ", "").upper()
    if not 15 <= len(iban) <= 34 or not iban[:2].isalpha() or not iban[2:].isalnum():
        return False
    digits = "".join(str(int(ch, 36)) for ch in iban[4:] + iban[:4])
    return int(digits) % 97 == 1


def _details(ctx: Ctx, params: PaymentMethodCreateParams) -> dict[str, Any]:
    """The type's own hash, with only what Stripe shows of the instrument."""
    kind = params.type
    for other in params.sent():
        if other != kind and (other in payment_method_shapes.types() or other in HAND_WRITTEN):
            raise InvalidRequest(f"You passed {other} parameters but the payment method's type is {kind}.", param=other)
    if kind in payment_method_shapes.types():
        try:
            return payment_method_shapes.details(kind, params.type_hash(kind))
        except payment_method_shapes.ShapeError as exc:
            raise InvalidRequest(exc.message, code=exc.code, param=exc.param) from None
    fp = ctx.scope.account_id
    if kind == "card":
        if params.card is None:
            raise ParameterMissing("card")
        if params.card.token is not None:
            if ctx.scope.livemode:
                raise InvalidRequest("Test card tokens can only be used in test mode.", param="card[token]")
            card = CARDS_BY_TOKEN.get(params.card.token)
            if card is None:
                raise ResourceMissing("token", params.card.token, param="card[token]")
            return _card_details(ctx, card, 12, _exp_year(ctx))
        if params.card.number is None:
            raise ParameterMissing("card[number]")
        if ctx.scope.livemode:
            raise InvalidRequest(
                "Sending card numbers directly to the API is not allowed in live mode. Collect card details "
                "with a PCI-compliant tokenization service and send the resulting payment method.",
                code="card_number_not_allowed",
                param="card[number]",
            )
        card_or_none = card_for_number(params.card.number)
        if card_or_none is None:
            raise InvalidRequest("Your card number is incorrect.", code="incorrect_number", param="card[number]")
        for field in ("exp_month", "exp_year"):
            if getattr(params.card, field) is None:
                raise ParameterMissing(f"card[{field}]")
        assert params.card.exp_month is not None and params.card.exp_year is not None
        now = ctx.clock.now()
        if (params.card.exp_year, params.card.exp_month) < (now.year, now.month):
            raise InvalidRequest(
                "Your card's expiration date is in the past.", code="invalid_expiry_year", param="card[exp_year]"
            )
        return _card_details(ctx, card_or_none, params.card.exp_month, params.card.exp_year)
    if kind == "sepa_debit":
        if params.sepa_debit is None:
            raise ParameterMissing("sepa_debit")
        iban = params.sepa_debit.iban.replace(" ", "").upper()
        if not _iban_ok(iban):
            raise InvalidRequest(
                "The IBAN you provided is invalid.", code="invalid_bank_account_iban", param="sepa_debit[iban]"
            )
        return {
            "bank_code": iban[4:8],
            "branch_code": "",
            "country": iban[:2],
            "fingerprint": fingerprint(fp, iban),
            "generated_from": {"charge": None, "setup_attempt": None},
            "last4": iban[-4:],
        }
    if kind == "us_bank_account":
        p = params.us_bank_account
        if p is None or p.account_number is None or p.routing_number is None:
            raise ParameterMissing("us_bank_account[account_number]" if p else "us_bank_account")
        return {
            "account_holder_type": p.account_holder_type or "individual",
            "account_type": p.account_type or "checking",
            "bank_name": "STRIPE TEST BANK",
            "financial_connections_account": None,
            "fingerprint": fingerprint(fp, p.account_number),
            "last4": p.account_number[-4:],
            "networks": {"preferred": "ach", "supported": ["ach"]},
            "routing_number": p.routing_number,
            "status_details": {},
        }
    if kind == "bacs_debit":
        if params.bacs_debit is None:
            raise ParameterMissing("bacs_debit")
        b = params.bacs_debit
        return {
            "fingerprint": fingerprint(fp, b.account_number),
            "last4": b.account_number[-4:],
            "sort_code": b.sort_code,
        }
    if kind == "au_becs_debit":
        if params.au_becs_debit is None:
            raise ParameterMissing("au_becs_debit")
        a = params.au_becs_debit
        return {
            "bsb_number": a.bsb_number,
            "fingerprint": fingerprint(fp, a.account_number),
            "last4": a.account_number[-4:],
        }
    if kind == "acss_debit":
        if params.acss_debit is None:
            raise ParameterMissing("acss_debit")
        c = params.acss_debit
        return {
            "bank_name": "STRIPE TEST BANK",
            "fingerprint": fingerprint(fp, c.account_number),
            "institution_number": c.institution_number,
            "last4": c.account_number[-4:],
            "transit_number": c.transit_number,
        }
    if kind == "boleto":
        if params.boleto is None:
            raise ParameterMissing("boleto")
        return {"tax_id": params.boleto.tax_id}
    if kind == "ideal":
        return {"bank": params.ideal.bank if params.ideal else None, "bic": None}
    if kind == "link":
        return {"email": params.billing_details.email if params.billing_details else None}
    if kind == "paypal":
        return {"country": None, "payer_email": None, "payer_id": None}
    if kind == "cashapp":
        return {"buyer_id": None, "cashtag": None}
    return {}


def _new(
    ctx: Ctx, kind: str, details: dict[str, Any], billing: dict[str, Any], metadata: dict[str, str]
) -> PaymentMethod:
    return PaymentMethod(
        id=new_id("pm", 24),
        account_id=ctx.scope.account_id,
        livemode=ctx.scope.livemode,
        created=ctx.now(),
        type=kind,
        customer_id=None,
        billing_details=billing,
        details=details,
        metadata_=metadata,
    )


async def create(uow: UnitOfWork, ctx: Ctx, params: PaymentMethodCreateParams) -> PaymentMethod:
    """Create an unattached payment method (test mode: test card numbers and tokens)."""
    billing = dump(params.billing_details) or {}
    if params.allow_redisplay:
        billing["allow_redisplay"] = params.allow_redisplay
    pm = _new(ctx, params.type, _details(ctx, params), billing, merge_metadata({}, params.metadata))
    return uow.payment_methods.add(pm)


async def resolve(uow: UnitOfWork, ctx: Ctx, id_or_token: str, *, param: str) -> PaymentMethod:
    """A stored payment method, or (test mode) a fresh one made from a test token such as pm_card_visa."""
    card = CARDS_BY_TOKEN.get(id_or_token) if id_or_token.startswith("pm_card_") else None
    if card is not None and not ctx.scope.livemode:
        return uow.payment_methods.add(_new(ctx, "card", _card_details(ctx, card, 12, _exp_year(ctx)), {}, {}))
    pm = await uow.payment_methods.get(ctx.scope, id_or_token)
    if pm is None:
        raise ResourceMissing("PaymentMethod", id_or_token, param=param)
    return pm


async def get(uow: UnitOfWork, ctx: Ctx, payment_method_id: str) -> PaymentMethod:
    pm = await uow.payment_methods.get(ctx.scope, payment_method_id)
    if pm is None:
        raise ResourceMissing("PaymentMethod", payment_method_id)
    return pm


async def attach_to(uow: UnitOfWork, ctx: Ctx, pm: PaymentMethod, customer: Customer) -> PaymentMethod:
    """Attach and record `payment_method.attached` (attaching to the same customer again changes nothing).
    The caller holds the customer's lock; the method is locked and read again here, so of two
    requests attaching it to different customers one wins and the other sees it taken."""
    await uow.payment_methods.get_for_update(ctx.scope, pm.id)
    if pm.customer_id == customer.id:
        return pm
    refused = DECLINING_BY_LAST4.get(str((pm.details or {}).get("last4"))) if pm.type == "card" else None
    if refused is not None and not refused.attaches:
        # Stripe's decline test cards are declined when attached (4000000000000341 is the exception).
        raise CardError(
            "Your card was declined.",
            code=refused.error_code,
            decline_code=refused.decline_code,
            param="payment_method",
        )
    if pm.detached_at is not None:
        raise InvalidRequest(
            f"The payment method {pm.id} was detached from a customer and may not be used again. To use a "
            "payment method many times, keep it attached to a customer.",
            code="payment_method_unexpected_state",
            param="payment_method",
        )
    if pm.customer_id is not None:
        raise InvalidRequest(
            f"The payment method {pm.id} is already attached to another customer. Detach it first.",
            code="payment_method_unexpected_state",
            param="payment_method",
        )
    pm.customer_id = customer.id
    outbox.record(uow, ctx, "payment_method.attached", render_payment_method(pm))
    return pm


async def attach(uow: UnitOfWork, ctx: Ctx, id_or_token: str, customer_id: str) -> PaymentMethod:
    """Attach a payment method (or a test token) to a customer."""
    customer = await locks.customer(uow, ctx, customer_id, param="customer")
    pm = await resolve(uow, ctx, id_or_token, param="payment_method")
    return await attach_to(uow, ctx, pm, customer)


async def detach(uow: UnitOfWork, ctx: Ctx, payment_method_id: str) -> PaymentMethod:
    """Detach (R9: never the last one of a customer with an active subscription); move defaults on."""
    # The customer's lock serializes this with every other change of its methods and
    # subscriptions (R9 under races: a subscription created meanwhile is seen here).
    pm = await locks.payment_method(uow, ctx, payment_method_id)
    if pm.customer_id is None:
        raise InvalidRequest(
            "The payment method you provided is not attached to a customer so detachment is impossible.",
            code="payment_method_unexpected_state",
        )
    customer = await locks.owner(uow, ctx, pm.customer_id)
    remaining = [m.id for m in await uow.payment_methods.attached(ctx.scope, customer.id) if m.id != pm.id]
    payment_method_rules.check_detach(
        pm.id,
        attached_count=len(remaining) + 1,
        has_active_subscription=await uow.subscriptions.has_active(ctx.scope, customer.id),
    )
    pm.customer_id = None
    pm.detached_at = ctx.now()
    outbox.record(uow, ctx, "payment_method.detached", render_payment_method(pm))
    settings = dict(customer.invoice_settings or {})
    new_default = payment_method_rules.next_default(settings.get("default_payment_method"), pm.id, remaining)
    if new_default != settings.get("default_payment_method"):
        before = await render_one(uow, ctx.scope, customer)
        settings["default_payment_method"] = new_default
        customer.invoice_settings = settings
        after = await render_one(uow, ctx.scope, customer)
        outbox.record(uow, ctx, "customer.updated", after, previous=outbox.previous_attributes(before, after))
    for sub in await uow.subscriptions.using_payment_method(ctx.scope, pm.id):
        before_sub = (await render_subscriptions(uow, ctx.scope, [sub]))[0]
        sub.default_payment_method = new_default
        after_sub = (await render_subscriptions(uow, ctx.scope, [sub]))[0]
        outbox.record(
            uow,
            ctx,
            "customer.subscription.updated",
            after_sub,
            previous=outbox.previous_attributes(before_sub, after_sub),
        )
    return pm


async def update(uow: UnitOfWork, ctx: Ctx, payment_method_id: str, params: PaymentMethodUpdateParams) -> PaymentMethod:
    """Billing details, metadata, a card's expiry; record `payment_method.updated`."""
    pm = await locks.payment_method(uow, ctx, payment_method_id)
    before = render_payment_method(pm)
    if params.billing_details is not None:
        billing = dict(pm.billing_details or {})
        billing.update(dump(params.billing_details))
        pm.billing_details = billing
    if params.allow_redisplay is not None:
        pm.billing_details = {**(pm.billing_details or {}), "allow_redisplay": params.allow_redisplay}
    if params.us_bank_account is not None:
        if pm.type != "us_bank_account":
            raise InvalidRequest("Only us_bank_account payment methods have these details.", param="us_bank_account")
        pm.details = {**(pm.details or {}), **dump(params.us_bank_account)}
    if params.card is not None:
        if pm.type != "card":
            raise InvalidRequest("Only card payment methods have an expiry to update.", param="card")
        details = dict(pm.details or {})
        details.update(dump(params.card))
        pm.details = details
    if "metadata" in params.sent():
        pm.metadata_ = merge_metadata(pm.metadata_, params.metadata)
    after = render_payment_method(pm)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "payment_method.updated", after, previous=changed)
    return pm


async def list_(uow: UnitOfWork, ctx: Ctx, params: PaymentMethodListParams) -> Page[PaymentMethod]:
    """Payment methods newest first, by customer and type."""
    if params.customer is not None:
        await customer_service.get(uow, ctx, params.customer, param="customer")
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.payment_methods.find(ctx.scope, cursor, customer=params.customer, type=params.type)


async def list_for_customer(
    uow: UnitOfWork, ctx: Ctx, customer_id: str, params: CustomerPaymentMethodListParams
) -> Page[PaymentMethod]:
    """A customer's payment methods newest first."""
    await customer_service.get(uow, ctx, customer_id, param="customer")
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.payment_methods.find(ctx.scope, cursor, customer=customer_id, type=params.type)


async def retrieve_for_customer(uow: UnitOfWork, ctx: Ctx, customer_id: str, payment_method_id: str) -> PaymentMethod:
    """One of the customer's payment methods."""
    await customer_service.get(uow, ctx, customer_id, param="customer")
    pm = await get(uow, ctx, payment_method_id)
    if pm.customer_id != customer_id:
        raise ResourceMissing("PaymentMethod", payment_method_id)
    return pm
