"""Billing money through stripe-python against a real server: each proration_behavior, an interval
change, coupon durations, promotion-code restrictions, and "the preview equals the real change"
with the same proration_date (https://docs.stripe.com/billing/subscriptions/prorations#preview-proration).

The server runs on real time, so amounts are made exact with `proration_date` (halfway through
the period: Stripe's 10 -> 20 USD example bills -5 and +10).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest
import stripe

from tests.conftest import LiveServer
from tests.contract.merchant import new_test_key


@pytest.fixture(scope="module")
def key(live_server: LiveServer) -> str:
    return new_test_key(live_server, "sdk money")


@pytest.fixture
def sdk(key: str, live_server: LiveServer) -> stripe.StripeClient:
    return stripe.StripeClient(key, base_addresses={"api": live_server.base_url})


def _advance(live_server: LiveServer, key: str, sub: str) -> dict[str, Any]:
    r = httpx.post(f"{live_server.base_url}/v1/test_helpers/subscriptions/{sub}/advance", auth=(key, ""))
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


def _plans(sdk: stripe.StripeClient) -> tuple[stripe.Price, stripe.Price, stripe.Price]:
    basic = sdk.v1.products.create({"name": "Basic"})
    pro = sdk.v1.products.create({"name": "Pro"})
    month = {"interval": "month"}
    return (
        sdk.v1.prices.create({"product": basic.id, "currency": "usd", "unit_amount": 1000, "recurring": month}),  # type: ignore[typeddict-item]
        sdk.v1.prices.create({"product": pro.id, "currency": "usd", "unit_amount": 2000, "recurring": month}),  # type: ignore[typeddict-item]
        sdk.v1.prices.create(
            {"product": pro.id, "currency": "usd", "unit_amount": 20000, "recurring": {"interval": "year"}}
        ),
    )


def _subscriber(sdk: stripe.StripeClient, price: str, **extra: Any) -> stripe.Subscription:
    customer = sdk.v1.customers.create(
        {"payment_method": "pm_card_visa", "invoice_settings": {"default_payment_method": "pm_card_visa"}}
    )
    params: Any = {"customer": customer.id, "items": [{"price": price}], **extra}
    return sdk.v1.subscriptions.create(params)


def _halfway(sub: stripe.Subscription) -> int:
    item = sub["items"].data[0]
    return int(item.current_period_start + (item.current_period_end - item.current_period_start) // 2)


@pytest.mark.parametrize("behavior", ["create_prorations", "always_invoice", "none"])
def test_each_proration_behavior(sdk: stripe.StripeClient, behavior: str) -> None:
    basic, pro, _ = _plans(sdk)
    sub = _subscriber(sdk, basic.id)
    change: Any = {
        "items": [{"id": sub["items"].data[0].id, "price": pro.id}],
        "proration_behavior": behavior,
        "proration_date": _halfway(sub),
    }
    changed = sdk.v1.subscriptions.update(sub.id, change)
    pending = sdk.v1.invoice_items.list({"customer": str(sub.customer), "pending": True}).data
    if behavior == "create_prorations":
        assert sorted(i.amount for i in pending) == [-500, 1000] and all(i.proration for i in pending)
        assert changed.latest_invoice == sub.latest_invoice
    elif behavior == "always_invoice":
        assert pending == []
        invoice = sdk.v1.invoices.retrieve(str(changed.latest_invoice))
        assert (invoice.billing_reason, invoice.amount_due, invoice.status) == ("subscription_update", 500, "paid")
        lines = sdk.v1.invoices.line_items.list(invoice.id).data
        assert all(line.parent and line.parent.subscription_item_details for line in lines)
        assert sorted(line.amount for line in lines) == [-500, 1000]
    else:
        assert pending == [] and changed.latest_invoice == sub.latest_invoice


def test_month_to_year_resets_the_anchor_and_invoices_now(sdk: stripe.StripeClient) -> None:
    basic, _, yearly = _plans(sdk)
    sub = _subscriber(sdk, basic.id)
    changed = sdk.v1.subscriptions.update(sub.id, {"items": [{"id": sub["items"].data[0].id, "price": yearly.id}]})
    assert changed.billing_cycle_anchor >= sub.billing_cycle_anchor
    assert changed.latest_invoice != sub.latest_invoice
    invoice = sdk.v1.invoices.retrieve(str(changed.latest_invoice))
    credit = [line.amount for line in invoice.lines.data if line.amount < 0]
    assert len(credit) == 1 and -1000 <= credit[0] < 0
    assert invoice.amount_due == 20000 + credit[0]
    assert changed["items"].data[0].current_period_end - changed["items"].data[0].current_period_start >= 365 * 86400


def test_the_preview_equals_the_real_change(sdk: stripe.StripeClient) -> None:
    basic, pro, _ = _plans(sdk)
    sub = _subscriber(sdk, basic.id)
    at = _halfway(sub)
    items: Any = [{"id": sub["items"].data[0].id, "price": pro.id}]
    preview = sdk.v1.invoices.create_preview(
        {
            "subscription": sub.id,
            "subscription_details": {"items": items, "proration_date": at, "proration_behavior": "always_invoice"},
        }
    )
    assert sdk.v1.invoice_items.list({"customer": str(sub.customer)}).data == []  # nothing written
    changed = sdk.v1.subscriptions.update(
        sub.id, {"items": items, "proration_date": at, "proration_behavior": "always_invoice"}
    )
    invoice = sdk.v1.invoices.retrieve(str(changed.latest_invoice))
    assert preview.amount_due == invoice.amount_due == 500
    assert [line.amount for line in preview.lines.data] == [line.amount for line in invoice.lines.data]
    upcoming = sdk.v1.invoices.create_preview({"subscription": sub.id})
    assert upcoming.amount_due == 2000 and upcoming.billing_reason == "subscription_cycle"


@pytest.mark.parametrize(
    ("duration", "months", "second_invoice"), [("once", None, 1000), ("repeating", 3, 500), ("forever", None, 500)]
)
def test_coupon_durations(
    sdk: stripe.StripeClient, key: str, live_server: LiveServer, duration: str, months: int | None, second_invoice: int
) -> None:
    basic, _, _ = _plans(sdk)
    params: Any = {"percent_off": 50, "duration": duration}
    if months:
        params["duration_in_months"] = months
    coupon = sdk.v1.coupons.create(params)
    assert coupon.duration == duration and coupon.valid
    sub = _subscriber(sdk, basic.id, discounts=[{"coupon": coupon.id}])
    assert sdk.v1.invoices.retrieve(str(sub.latest_invoice)).amount_due == 500
    renewed = _advance(live_server, key, sub.id)
    assert sdk.v1.invoices.retrieve(renewed["latest_invoice"]).amount_due == second_invoice


def test_promotion_code_restrictions(sdk: stripe.StripeClient) -> None:
    basic, _, _ = _plans(sdk)
    coupon = sdk.v1.coupons.create({"amount_off": 300, "currency": "usd", "duration": "once"})
    first_time = sdk.v1.promotion_codes.create(
        {"promotion": {"type": "coupon", "coupon": coupon.id}, "restrictions": {"first_time_transaction": True}}
    )
    assert first_time.promotion.coupon == coupon.id or getattr(first_time.promotion.coupon, "id", None) == coupon.id
    paying = _subscriber(sdk, basic.id)
    with pytest.raises(stripe.InvalidRequestError) as refused:
        sdk.v1.subscriptions.create(
            {
                "customer": str(paying.customer),
                "items": [{"price": basic.id}],
                "discounts": [{"promotion_code": first_time.id}],
            }
        )
    assert refused.value.code == "promotion_code_not_first_time"
    newcomer = _subscriber(sdk, basic.id, discounts=[{"promotion_code": first_time.id}])
    assert sdk.v1.invoices.retrieve(str(newcomer.latest_invoice)).amount_due == 700
    big_spenders = sdk.v1.promotion_codes.create(
        {
            "promotion": {"type": "coupon", "coupon": coupon.id},
            "restrictions": {"minimum_amount": 5000, "minimum_amount_currency": "usd"},
        }
    )
    with pytest.raises(stripe.InvalidRequestError) as small:
        _subscriber(sdk, basic.id, discounts=[{"promotion_code": big_spenders.id}])
    assert small.value.code == "promotion_code_minimum_amount"
    expired = sdk.v1.promotion_codes.update(big_spenders.id, {"active": False})
    assert expired.active is False


def test_billing_cycle_anchor_now_restarts_the_period_and_invoices(sdk: stripe.StripeClient) -> None:
    """`billing_cycle_anchor=now` starts a new period at once and invoices it, less the unused time."""
    basic, pro, _ = _plans(sdk)
    sub = _subscriber(sdk, basic.id)
    change: Any = {"items": [{"id": sub["items"].data[0].id, "price": pro.id}], "billing_cycle_anchor": "now"}
    changed = sdk.v1.subscriptions.update(sub.id, change)
    assert changed.billing_cycle_anchor >= sub.billing_cycle_anchor
    assert changed["items"].data[0].current_period_start == changed.billing_cycle_anchor
    invoice = sdk.v1.invoices.retrieve(str(changed.latest_invoice))
    assert invoice.billing_reason == "subscription_update" and invoice.status == "paid"
    credit = [line.amount for line in invoice.lines.data if line.amount < 0]
    assert len(credit) == 1 and invoice.amount_due == 2000 + credit[0]
