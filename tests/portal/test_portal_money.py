"""The portal acts on the money: the review shows what the change invoices (and the invoice that
follows has that amount); the configuration's proration_behavior, billing_cycle_anchor and
schedule_at_period_end are honoured; the cancel flow's retention offer applies its coupon; a
confirm flow's discounts apply; cancel prorations follow the configuration."""

from __future__ import annotations

import re

import httpx

from app.clock import FixedClock
from tests import factories as f
from tests.portal import shop as s
from tests.portal.test_portal_api import act, sign_in


async def _halfway(clock: FixedClock) -> None:
    clock.advance(days=15)  # the shop's subscription started at the clock's now: Nov 26 -> Dec 26


async def test_review_shows_the_amount_due_and_the_invoice_that_follows_has_it(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(client, **{"features[subscription_update][proration_behavior]": "always_invoice"})
    premium = (await f.post(client, "/v1/products", name="Premium"))["id"]
    pro = await f.price(client, product=premium, amount=2000)
    await f.post(
        client,
        f"/v1/billing_portal/configurations/{shop.configuration['id']}",
        **{
            "features[subscription_update][products][0][product]": shop.product,
            "features[subscription_update][products][0][prices][0]": shop.monthly["id"],
            "features[subscription_update][products][1][product]": premium,
            "features[subscription_update][products][1][prices][0]": pro["id"],
        },
    )
    await _halfway(clock)
    o = await sign_in(client, browser, shop.customer["id"])
    sub = shop.subscription["id"]
    preview = (await act(browser, o, "POST", f"/subscriptions/{sub}/preview", price=pro["id"])).json()
    due = preview["due_today"]
    assert [line["proration"] for line in due["lines"]] == [True, True]
    assert due["amount_due"] == sum(line["amount"] for line in due["lines"]) > 0
    assert preview["next_invoice"]["amount_due"] == 2000
    page = await browser.get(f"/p/subscriptions/{sub}/update", params={"price": pro["id"]})
    shown = re.search(r'data-testid="due-today"><bdi>([^<]+)<', page.text)
    assert shown is not None and shown.group(1) == f"${due['amount_due'] // 100}.{due['amount_due'] % 100:02d}"
    done = await act(browser, o, "POST", f"/subscriptions/{sub}/update", price=pro["id"])
    assert done.status_code == 200
    latest = (await client.get(f"/v1/subscriptions/{sub}")).json()["latest_invoice"]
    invoice = (await client.get(f"/v1/invoices/{latest}")).json()
    assert (invoice["amount_due"], invoice["amount_paid"]) == (due["amount_due"], due["amount_due"])


async def test_none_bills_nothing_now_and_anchor_now_restarts_the_cycle(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(client)  # proration_behavior defaults to none, as Stripe's portal does
    sub = shop.subscription["id"]
    await _halfway(clock)
    o = await sign_in(client, browser, shop.customer["id"])
    preview = (await act(browser, o, "POST", f"/subscriptions/{sub}/preview", quantity=3)).json()
    assert "due_today" in preview, preview
    assert preview["due_today"] is None and preview["next_invoice"]["amount_due"] == 3000
    before = (await client.get(f"/v1/subscriptions/{sub}")).json()["latest_invoice"]
    await act(browser, o, "POST", f"/subscriptions/{sub}/update", quantity=3)
    assert (await client.get(f"/v1/subscriptions/{sub}")).json()["latest_invoice"] == before
    other = await s.shop(client, **{"features[subscription_update][billing_cycle_anchor]": "now"})
    o2 = await sign_in(client, browser, other.customer["id"])
    await act(browser, o2, "POST", f"/subscriptions/{other.subscription['id']}/update", quantity=2)
    changed = (await client.get(f"/v1/subscriptions/{other.subscription['id']}")).json()
    assert changed["billing_cycle_anchor"] == int(clock.now().timestamp())


async def test_a_downgrade_waits_for_the_period_end_through_a_schedule(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(
        client,
        **{"features[subscription_update][schedule_at_period_end][conditions][0][type]": "decreasing_item_amount"},
    )
    sub = shop.subscription["id"]
    await f.post(
        client,
        f"/v1/subscriptions/{sub}",
        **{
            "items[0][id]": shop.subscription["items"]["data"][0]["id"],
            "items[0][quantity]": 3,
            "proration_behavior": "none",
        },
    )
    o = await sign_in(client, browser, shop.customer["id"])
    preview = (await act(browser, o, "POST", f"/subscriptions/{sub}/preview", quantity=1)).json()
    end = shop.subscription["items"]["data"][0]["current_period_end"]
    assert preview["takes_effect"] == end and preview["due_today"] is None
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/update", quantity=1)
    assert r.status_code == 200
    view = next(x for x in r.json()["subscriptions"] if x["id"] == sub)
    assert view["scheduled_change"]["date"] == end and view["items"][0]["quantity"] == 3
    assert (await client.get(f"/v1/subscriptions/{sub}")).json()["schedule"] is not None
    renewed = await f.post(client, f"/v1/test_helpers/subscriptions/{sub}/advance")
    assert renewed["items"]["data"][0]["quantity"] == 1 and renewed["schedule"] is None
    assert (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()["amount_due"] == 1000


async def test_the_retention_offer_applies_its_coupon_and_the_subscription_stays(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    shop = await s.shop(client)
    await f.post(client, "/v1/coupons", id="STAY25", percent_off="25", duration="repeating", duration_in_months=3)
    sub = shop.subscription["id"]
    flow = {
        "flow_data[type]": "subscription_cancel",
        "flow_data[subscription_cancel][subscription]": sub,
        "flow_data[subscription_cancel][retention][type]": "coupon_offer",
        "flow_data[subscription_cancel][retention][coupon_offer][coupon]": "STAY25",
    }
    session = await s.session(client, shop.customer["id"], **flow)
    assert session["flow"]["subscription_cancel"]["retention"] == {
        "coupon_offer": {"coupon": "STAY25"},
        "type": "coupon_offer",
    }
    r = await browser.get(s.path(session["url"]))
    page = await browser.get("/p/")
    assert 'data-testid="retention-offer"' in page.text and "25% off" in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf is not None
    r = await browser.post(f"/p/subscriptions/{sub}/accept_offer", data={"csrf_token": csrf.group(1)})
    assert r.status_code == 303
    kept = (await client.get(f"/v1/subscriptions/{sub}")).json()
    assert kept["status"] == "active" and len(kept["discounts"]) == 1
    renewed = await f.post(client, f"/v1/test_helpers/subscriptions/{sub}/advance")
    assert (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()["amount_due"] == 750
    bad = await client.post(
        "/v1/billing_portal/sessions",
        data={
            **flow,
            "customer": shop.customer["id"],
            "flow_data[subscription_cancel][retention][coupon_offer][coupon]": "NOPE",
        },
    )
    assert bad.status_code == 404 and bad.json()["error"]["param"].endswith("[coupon]")


async def test_confirm_flow_discounts_and_cancel_prorations_as_configured(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(
        client,
        **{
            "features[subscription_cancel][mode]": "immediately",
            "features[subscription_cancel][proration_behavior]": "create_prorations",
        },
    )
    await f.post(client, "/v1/coupons", id="TENOFF", amount_off=1000, currency="usd", duration="once")
    sub = shop.subscription["id"]
    item = shop.subscription["items"]["data"][0]["id"]
    session = await s.session(
        client,
        shop.customer["id"],
        **{
            "flow_data[type]": "subscription_update_confirm",
            "flow_data[subscription_update_confirm][subscription]": sub,
            "flow_data[subscription_update_confirm][items][0][id]": item,
            "flow_data[subscription_update_confirm][items][0][price]": shop.yearly["id"],
            "flow_data[subscription_update_confirm][discounts][0][coupon]": "TENOFF",
        },
    )
    assert session["flow"]["subscription_update_confirm"]["discounts"] == [{"coupon": "TENOFF", "promotion_code": None}]
    await browser.get(s.path(session["url"]))
    o = (await browser.get("/p/api/overview")).json()
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/update", price=shop.yearly["id"])
    assert r.status_code == 200, r.text
    changed = (await client.get(f"/v1/subscriptions/{sub}")).json()
    assert len(changed["discounts"]) == 1
    invoice = (await client.get(f"/v1/invoices/{changed['latest_invoice']}")).json()
    assert invoice["total_discount_amounts"][0]["amount"] == 1000 and invoice["subtotal"] == 10000
    await _halfway(clock)
    o2 = await sign_in(client, browser, shop.customer["id"])
    r = await act(browser, o2, "POST", f"/subscriptions/{sub}/cancel")
    assert r.status_code == 200
    credits = (
        await client.get("/v1/invoiceitems", params={"customer": shop.customer["id"], "pending": "true"})
    ).json()["data"]
    assert len(credits) == 1 and credits[0]["amount"] < 0 and credits[0]["proration"]
