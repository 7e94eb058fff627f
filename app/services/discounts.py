"""Coupons, promotion codes and discounts: creating them, redeeming them onto customers,
subscriptions, invoices and invoice items, and which discounts an invoice inherits.

Redemptions are counted by a conditional UPDATE (`times_redeemed < max_redemptions`), so two
requests racing for the last redemption cannot both win, whatever locks they hold.
"""

from __future__ import annotations

from app.context import Ctx
from app.domain.discounts import Applied, Duration, discount_end
from app.errors import InvalidRequest, ResourceMissing
from app.events import outbox
from app.ids import new_id, random_base62
from app.objects.customers import render_one
from app.objects.discounts import coupon_valid, render_coupon, render_discounts, render_promotion_code
from app.params.base import ListParams, created_bounds
from app.params.discounts import (
    CouponCreateParams,
    CouponListParams,
    CouponUpdateParams,
    DiscountParam,
    PromotionCodeCreateParams,
    PromotionCodeListParams,
    PromotionCodeUpdateParams,
)
from app.services import locks
from app.services.common import blank, merge_metadata
from app.services.invoice_lines import still_applies, terms
from app.services.subscription_events import change
from app.store.models import (
    Coupon,
    Customer,
    CustomerBalanceTransaction,
    Discount,
    Invoice,
    InvoiceItem,
    PromotionCode,
    Subscription,
)
from app.store.repositories.base import Cursor, Page
from app.store.uow import UnitOfWork


async def get_coupon(uow: UnitOfWork, ctx: Ctx, coupon_id: str, *, param: str = "id") -> Coupon:
    coupon = await uow.coupons.get(ctx.scope, coupon_id)
    if coupon is None or coupon.deleted:
        raise ResourceMissing("coupon", coupon_id, param=param)
    return coupon


async def create_coupon(uow: UnitOfWork, ctx: Ctx, params: CouponCreateParams) -> Coupon:
    """A coupon: exactly one of percent_off and amount_off (with its currency); records `coupon.created`."""
    if (params.percent_off is None) == (params.amount_off is None):
        raise InvalidRequest(
            "Exactly one of percent_off and amount_off must be given.",
            param="percent_off" if params.percent_off is None else "amount_off",
        )
    if params.amount_off is not None and params.currency is None:
        raise InvalidRequest("currency is required with amount_off.", code="parameter_missing", param="currency")
    if params.percent_off is not None and params.currency is not None:
        raise InvalidRequest("currency only goes with amount_off.", param="currency")
    duration = Duration(params.duration or "once")
    if duration == Duration.REPEATING and params.duration_in_months is None:
        raise InvalidRequest(
            "duration_in_months is required when duration is repeating.",
            code="parameter_missing",
            param="duration_in_months",
        )
    if duration != Duration.REPEATING and params.duration_in_months is not None:
        raise InvalidRequest("duration_in_months only goes with duration=repeating.", param="duration_in_months")
    now = ctx.now()
    if params.redeem_by is not None and params.redeem_by <= now:
        raise InvalidRequest("redeem_by must be in the future.", param="redeem_by")
    coupon_id = params.id or random_base62(8)
    if await uow.coupons.get(ctx.scope, coupon_id) is not None:
        raise InvalidRequest(f"Coupon already exists: {coupon_id}.", code="resource_already_exists", param="id")
    products = None
    if params.applies_to is not None:
        found = await uow.products.many(ctx.scope, params.applies_to.products)
        for i, product_id in enumerate(params.applies_to.products):
            if product_id not in found:
                raise ResourceMissing("product", product_id, param=f"applies_to[products][{i}]")
        products = list(dict.fromkeys(params.applies_to.products))
    coupon = uow.coupons.add(
        Coupon(
            id=coupon_id,
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=now,
            name=params.name,
            percent_off=str(params.percent_off.normalize()) if params.percent_off is not None else None,
            amount_off=params.amount_off,
            currency=params.currency,
            duration=duration.value,
            duration_in_months=params.duration_in_months,
            max_redemptions=params.max_redemptions,
            redeem_by=params.redeem_by,
            times_redeemed=0,
            applies_to_products=products,
            metadata_=merge_metadata({}, params.metadata),
            deleted=False,
        )
    )
    outbox.record(uow, ctx, "coupon.created", render_coupon(coupon, now))
    return coupon


async def update_coupon(uow: UnitOfWork, ctx: Ctx, coupon_id: str, params: CouponUpdateParams) -> Coupon:
    """Only name and metadata change (a coupon's terms are fixed once made, as on Stripe)."""
    coupon = await uow.coupons.get_for_update(ctx.scope, coupon_id)
    if coupon is None or coupon.deleted:
        raise ResourceMissing("coupon", coupon_id)
    before = render_coupon(coupon, ctx.now())
    if "name" in params.sent():
        coupon.name = blank(params.name)
    if "metadata" in params.sent():
        coupon.metadata_ = merge_metadata(coupon.metadata_, params.metadata)
    after = render_coupon(coupon, ctx.now())
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "coupon.updated", after, previous=changed)
    return coupon


async def delete_coupon(uow: UnitOfWork, ctx: Ctx, coupon_id: str) -> Coupon:
    """Deleted coupons can no longer be redeemed; discounts already made from them stay."""
    coupon = await uow.coupons.get_for_update(ctx.scope, coupon_id)
    if coupon is None or coupon.deleted:
        raise ResourceMissing("coupon", coupon_id)
    body = render_coupon(coupon, ctx.now())
    coupon.deleted = True
    outbox.record(uow, ctx, "coupon.deleted", body)
    return coupon


async def list_coupons(uow: UnitOfWork, ctx: Ctx, params: CouponListParams) -> Page[Coupon]:
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.coupons.find(ctx.scope, cursor, created=created_bounds(params.created))


async def get_promotion_code(uow: UnitOfWork, ctx: Ctx, promotion_code_id: str, *, param: str = "id") -> PromotionCode:
    promo = await uow.promotion_codes.get(ctx.scope, promotion_code_id)
    if promo is None:
        raise ResourceMissing("promotion_code", promotion_code_id, param=param)
    return promo


async def create_promotion_code(uow: UnitOfWork, ctx: Ctx, params: PromotionCodeCreateParams) -> PromotionCode:
    coupon = await get_coupon(uow, ctx, params.promotion.coupon, param="promotion[coupon]")
    now = ctx.now()
    if params.customer is not None:
        customer = await uow.customers.get(ctx.scope, params.customer)
        if customer is None or customer.deleted:
            raise ResourceMissing("customer", params.customer, param="customer")
    if params.expires_at is not None:
        if params.expires_at <= now:
            raise InvalidRequest("expires_at must be in the future.", param="expires_at")
        if coupon.redeem_by is not None and params.expires_at > coupon.redeem_by:
            raise InvalidRequest("expires_at cannot be after the coupon's redeem_by.", param="expires_at")
    restrictions: dict[str, object] = {}
    if params.restrictions is not None:
        r = params.restrictions
        if (r.minimum_amount is None) != (r.minimum_amount_currency is None):
            raise InvalidRequest(
                "minimum_amount and minimum_amount_currency go together.",
                param="restrictions[minimum_amount_currency]",
            )
        restrictions = {
            "first_time_transaction": bool(r.first_time_transaction),
            "minimum_amount": r.minimum_amount,
            "minimum_amount_currency": r.minimum_amount_currency,
        }
    active = True if params.active is None else params.active
    code = params.code or random_base62(8).upper()
    if active and await uow.promotion_codes.active_with_code(ctx.scope, code) is not None:
        raise InvalidRequest(
            f"An active promotion code with the code {code} already exists.",
            code="resource_already_exists",
            param="code",
        )
    promo = uow.promotion_codes.add(
        PromotionCode(
            id=new_id("promo", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=now,
            code=code,
            coupon_id=coupon.id,
            active=active,
            customer_id=params.customer,
            expires_at=params.expires_at,
            max_redemptions=params.max_redemptions,
            times_redeemed=0,
            restrictions=restrictions,
            metadata_=merge_metadata({}, params.metadata),
        )
    )
    outbox.record(uow, ctx, "promotion_code.created", render_promotion_code(promo, coupon, now))
    return promo


async def update_promotion_code(
    uow: UnitOfWork, ctx: Ctx, promotion_code_id: str, params: PromotionCodeUpdateParams
) -> PromotionCode:
    promo = await uow.promotion_codes.get_for_update(ctx.scope, promotion_code_id)
    if promo is None:
        raise ResourceMissing("promotion_code", promotion_code_id)
    coupon = await uow.coupons.get(ctx.scope, promo.coupon_id)
    now = ctx.now()
    before = render_promotion_code(promo, coupon, now)
    if params.active is not None:
        if params.active and not promo.active and await uow.promotion_codes.active_with_code(ctx.scope, promo.code):
            raise InvalidRequest(f"An active promotion code with the code {promo.code} already exists.", param="active")
        promo.active = params.active
    if "metadata" in params.sent():
        promo.metadata_ = merge_metadata(promo.metadata_, params.metadata)
    after = render_promotion_code(promo, coupon, now)
    changed = outbox.previous_attributes(before, after)
    if changed:
        outbox.record(uow, ctx, "promotion_code.updated", after, previous=changed)
    return promo


async def list_promotion_codes(uow: UnitOfWork, ctx: Ctx, params: PromotionCodeListParams) -> Page[PromotionCode]:
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.promotion_codes.find(
        ctx.scope,
        cursor,
        active=params.active,
        code=params.code,
        coupon=params.coupon,
        customer=params.customer,
        created=created_bounds(params.created),
    )


async def _check_promotion(
    uow: UnitOfWork, ctx: Ctx, promo: PromotionCode, customer: Customer, param: str, amount: int | None, currency: str
) -> None:
    """A promotion code's own limits: active, not expired, its customer, its restrictions."""
    now = ctx.now()
    if not promo.active or (promo.expires_at is not None and promo.expires_at <= now):
        raise InvalidRequest(
            f"The promotion code {promo.code} is not active.", code="promotion_code_inactive", param=param
        )
    if promo.customer_id is not None and promo.customer_id != customer.id:
        raise InvalidRequest(
            f"The promotion code {promo.code} is for another customer.",
            code="promotion_code_customer_mismatch",
            param=param,
        )
    restrictions = promo.restrictions or {}
    if restrictions.get("first_time_transaction") and await uow.invoices.has_paid(ctx.scope, customer.id):
        raise InvalidRequest(
            f"The promotion code {promo.code} is only for customers who have not paid before.",
            code="promotion_code_not_first_time",
            param=param,
        )
    minimum = restrictions.get("minimum_amount")
    if (
        minimum is not None
        and amount is not None
        and (restrictions.get("minimum_amount_currency") != currency or amount < int(minimum))
    ):
        raise InvalidRequest(
            f"The promotion code {promo.code} needs an amount of at least {minimum} "
            f"{str(restrictions.get('minimum_amount_currency')).upper()}.",
            code="promotion_code_minimum_amount",
            param=param,
        )


async def redeem(
    uow: UnitOfWork,
    ctx: Ctx,
    spec: DiscountParam,
    customer: Customer,
    param: str,
    *,
    currency: str | None,
    amount: int | None = None,
    subscription: Subscription | None = None,
    invoice: Invoice | None = None,
    invoice_item: InvoiceItem | None = None,
    exact_param: bool = False,
) -> Discount:
    """One `discounts[N]` entry: an existing discount reused, or a coupon or promotion code
    redeemed into a new discount (counted against its limits)."""
    given = [name for name in ("coupon", "discount", "promotion_code") if getattr(spec, name) is not None]
    if len(given) != 1:
        raise InvalidRequest("Each discount takes exactly one of coupon, discount and promotion_code.", param=param)
    if spec.discount is not None:
        existing = await uow.discounts.get(ctx.scope, spec.discount)
        if existing is None or existing.customer_id != customer.id:
            raise ResourceMissing("discount", spec.discount, param=f"{param}[discount]")
        return existing
    promo = None
    if spec.promotion_code is not None:
        promo_param = param if exact_param else f"{param}[promotion_code]"
        promo = await get_promotion_code(uow, ctx, spec.promotion_code, param=promo_param)
        await _check_promotion(
            uow,
            ctx,
            promo,
            customer,
            promo_param,
            amount,
            currency or promo.restrictions.get("minimum_amount_currency") or "",
        )
        coupon_id, coupon_param = promo.coupon_id, promo_param
    else:
        assert spec.coupon is not None
        coupon_id, coupon_param = spec.coupon, param if exact_param else f"{param}[coupon]"
    coupon = await get_coupon(uow, ctx, coupon_id, param=coupon_param)
    now = ctx.now()
    if not coupon_valid(coupon, now) or not await uow.coupons.redeem(ctx.scope, coupon.id):
        raise InvalidRequest(f"Coupon {coupon.id} is no longer valid.", code="coupon_expired", param=coupon_param)
    if promo is not None and not await uow.promotion_codes.redeem(ctx.scope, promo.id):
        raise InvalidRequest(
            f"The promotion code {promo.code} has been redeemed the most times it can be.",
            code="promotion_code_inactive",
            param=coupon_param,
        )
    if coupon.amount_off is not None and currency is not None and coupon.currency != currency:
        raise InvalidRequest(
            f"The coupon {coupon.id} is in {coupon.currency}; this is billed in {currency}.", param=coupon_param
        )
    discount = uow.discounts.add(
        Discount(
            id=new_id("di", 24),
            account_id=ctx.scope.account_id,
            livemode=ctx.scope.livemode,
            created=now,
            coupon_id=coupon.id,
            promotion_code_id=promo.id if promo else None,
            customer_id=customer.id,
            subscription_id=subscription.id if subscription else None,
            invoice_id=invoice.id if invoice else None,
            invoice_item_id=invoice_item.id if invoice_item else None,
            start=now,
            end=discount_end(now, Duration(coupon.duration), coupon.duration_in_months),
            used=False,
        )
    )
    return discount


async def redeem_all(
    uow: UnitOfWork,
    ctx: Ctx,
    specs: list[DiscountParam] | str,
    customer: Customer,
    param: str,
    *,
    currency: str | None = None,
    amount: int | None = None,
    subscription: Subscription | None = None,
    invoice: Invoice | None = None,
    invoice_item: InvoiceItem | None = None,
) -> list[str]:
    """`discounts=[...]` (or `""`, none): the discount ids, in order."""
    if isinstance(specs, str):
        return []
    if len(specs) > 20:
        raise InvalidRequest("At most 20 discounts can apply.", param=param)
    ids: list[str] = []
    billed_in = currency or (invoice.currency if invoice else subscription.currency if subscription else "usd")
    for i, spec in enumerate(specs):
        discount = await redeem(
            uow,
            ctx,
            spec,
            customer,
            f"{param}[{i}]",
            currency=billed_in,
            amount=amount,
            subscription=subscription,
            invoice=invoice,
            invoice_item=invoice_item,
        )
        if discount.id in ids:
            raise InvalidRequest("The same discount cannot apply twice.", param=f"{param}[{i}]")
        ids.append(discount.id)
    return ids


async def inherited(uow: UnitOfWork, ctx: Ctx, customer: Customer, sub: Subscription | None) -> list[str]:
    """The discounts a new invoice takes: its subscription's that still apply, else the customer's."""
    now = ctx.now()
    ids = list(sub.discounts or []) if sub is not None else []
    found = await uow.discounts.many(ctx.scope, ids + ([customer.discount_id] if customer.discount_id else []))
    coupons = await uow.coupons.many(ctx.scope, [d.coupon_id for d in found.values()])
    own = [i for i in ids if i in found and still_applies(found[i], coupons.get(found[i].coupon_id), now)]
    if own:
        return own
    if customer.discount_id and customer.discount_id in found:
        discount = found[customer.discount_id]
        if still_applies(discount, coupons.get(discount.coupon_id), now):
            return [discount.id]
    return []


async def remove_customer_discount(uow: UnitOfWork, ctx: Ctx, customer_id: str) -> dict[str, object]:
    """`DELETE /v1/customers/{id}/discount`: the customer's discount no longer applies."""
    customer = await locks.customer(uow, ctx, customer_id)
    if customer.discount_id is None:
        raise ResourceMissing("discount", f"{customer.id}/discount")
    discount = await uow.discounts.get(ctx.scope, customer.discount_id)
    assert discount is not None
    before = await render_one(uow, ctx.scope, customer)
    customer.discount_id = None
    after = await render_one(uow, ctx.scope, customer)
    outbox.record(uow, ctx, "customer.updated", after, previous=outbox.previous_attributes(before, after))
    body = (await render_discounts(uow, ctx.scope, [discount]))[0]
    outbox.record(uow, ctx, "customer.discount.deleted", body)
    return {**body, "deleted": True}


async def remove_subscription_discount(uow: UnitOfWork, ctx: Ctx, subscription_id: str) -> dict[str, object]:
    """`DELETE /v1/subscriptions/{id}/discount`: the subscription's discounts no longer apply."""
    sub = await locks.subscription(uow, ctx, subscription_id)
    if not sub.discounts:
        raise ResourceMissing("discount", f"{sub.id}/discount")
    discount = await uow.discounts.get(ctx.scope, sub.discounts[0])
    assert discount is not None
    await change(uow, ctx, sub, lambda s: setattr(s, "discounts", []))
    body = (await render_discounts(uow, ctx.scope, [discount]))[0]
    return {**body, "deleted": True}


async def balance_transactions(
    uow: UnitOfWork, ctx: Ctx, customer_id: str, params: ListParams
) -> Page[CustomerBalanceTransaction]:
    customer = await uow.customers.get(ctx.scope, customer_id)
    if customer is None:
        raise ResourceMissing("customer", customer_id)
    cursor = Cursor(params.limit, params.starting_after, params.ending_before)
    return await uow.balance_transactions.find(ctx.scope, cursor, customer=customer.id)


async def set_customer_discount(
    uow: UnitOfWork, ctx: Ctx, customer: Customer, coupon: str | None, promotion_code: str | None
) -> None:
    """`coupon` or `promotion_code` on a customer: redeemed into the customer's one discount (it
    replaces the one before; "" removes it). The caller holds the customer's lock."""
    if coupon is not None and promotion_code is not None:
        raise InvalidRequest("Give coupon or promotion_code, not both.", param="promotion_code")
    if coupon == "" or promotion_code == "":
        customer.discount_id = None
        return
    param = "coupon" if coupon is not None else "promotion_code"
    spec = DiscountParam(coupon=coupon, promotion_code=promotion_code)
    discount = await redeem(uow, ctx, spec, customer, param, currency=customer.currency, exact_param=True)
    customer.discount_id = discount.id


async def preview_discounts(
    uow: UnitOfWork,
    ctx: Ctx,
    specs: list[DiscountParam] | str,
    customer: Customer,
    *,
    currency: str,
    amount: int | None,
) -> tuple[list[str], dict[str, Applied]]:
    """`discounts` on a preview: checked as a redemption would be, but nothing is redeemed or
    counted. Coupons and promotion codes become discounts that exist only for the preview."""
    if isinstance(specs, str):
        return [], {}
    ids: list[str] = []
    unsaved: dict[str, Applied] = {}
    for i, spec in enumerate(specs):
        param = f"discounts[{i}]"
        given = [name for name in ("coupon", "discount", "promotion_code") if getattr(spec, name) is not None]
        if len(given) != 1:
            raise InvalidRequest("Each discount takes exactly one of coupon, discount and promotion_code.", param=param)
        if spec.discount is not None:
            existing = await uow.discounts.get(ctx.scope, spec.discount)
            if existing is None or existing.customer_id != customer.id:
                raise ResourceMissing("discount", spec.discount, param=f"{param}[discount]")
            ids.append(existing.id)
            continue
        if spec.promotion_code is not None:
            promo = await get_promotion_code(uow, ctx, spec.promotion_code, param=f"{param}[promotion_code]")
            await _check_promotion(uow, ctx, promo, customer, f"{param}[promotion_code]", amount, currency)
            coupon = await get_coupon(uow, ctx, promo.coupon_id, param=f"{param}[promotion_code]")
        else:
            assert spec.coupon is not None
            coupon = await get_coupon(uow, ctx, spec.coupon, param=f"{param}[coupon]")
        if not coupon_valid(coupon, ctx.now()):
            raise InvalidRequest(f"Coupon {coupon.id} is no longer valid.", code="coupon_expired", param=param)
        if coupon.amount_off is not None and coupon.currency != currency:
            raise InvalidRequest(
                f"The coupon {coupon.id} is in {coupon.currency}; this is billed in {currency}.", param=param
            )
        preview_id = f"di_preview_{i}_{coupon.id}"
        unsaved[preview_id] = Applied(preview_id, terms(coupon))
        ids.append(preview_id)
    return ids, unsaved
