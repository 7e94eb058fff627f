"""Prorations, interval changes, cancel credits, previews, coupons and invoice items through the API
(https://docs.stripe.com/billing/subscriptions/prorations, .../billing-cycle, .../coupons)."""

from __future__ import annotations

from typing import Any

import httpx

from app.clock import FixedClock
from app.portal import i18n
from tests.factories import customer, events, post, price, subscription
from tests.pdf_text import text_of


async def _upgrade_setup(client: httpx.AsyncClient) -> tuple[dict[str, Any], str, str]:
    product = (await post(client, "/v1/products", name="Basic"))["id"]
    basic = await price(client, product=product, amount=1000)
    pro = await price(client, product=(await post(client, "/v1/products", name="Pro"))["id"], amount=2000)
    sub = await subscription(client, price_id=basic["id"])
    return sub, str(pro["id"]), str(sub["items"]["data"][0]["id"])


async def _halfway(clock: FixedClock, sub: dict[str, Any]) -> None:
    item = sub["items"]["data"][0]
    clock.advance(seconds=(item["current_period_end"] - item["current_period_start"]) // 2)


async def test_create_prorations_leave_pending_items_the_renewal_bills(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    sub, pro, item = await _upgrade_setup(client)
    await _halfway(clock, sub)
    await post(client, f"/v1/subscriptions/{sub['id']}", **{"items[0][id]": item, "items[0][price]": pro})
    pending = (await client.get("/v1/invoiceitems", params={"pending": "true"})).json()["data"]
    assert sorted(i["amount"] for i in pending) == [-500, 1000] and all(i["proration"] for i in pending)
    renewed = await post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    invoice = (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()
    assert invoice["amount_due"] == 2000 + 500
    lines = (await client.get(f"/v1/invoices/{invoice['id']}/lines")).json()["data"]
    prorations = [line for line in lines if line["parent"]["subscription_item_details"]["proration"]]
    assert sorted(line["amount"] for line in prorations) == [-500, 1000]
    assert (await client.get("/v1/invoiceitems", params={"pending": "true"})).json()["data"] == []


async def test_always_invoice_charges_the_difference_now_and_none_bills_nothing(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    sub, pro, item = await _upgrade_setup(client)
    await _halfway(clock, sub)
    changed = await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"items[0][id]": item, "items[0][price]": pro, "proration_behavior": "always_invoice"},
    )
    invoice = (await client.get(f"/v1/invoices/{changed['latest_invoice']}")).json()
    assert (invoice["billing_reason"], invoice["amount_due"], invoice["status"]) == ("subscription_update", 500, "paid")
    other, pro2, item2 = await _upgrade_setup(client)
    before = other["latest_invoice"]
    same = await post(
        client,
        f"/v1/subscriptions/{other['id']}",
        **{"items[0][id]": item2, "items[0][price]": pro2, "proration_behavior": "none"},
    )
    assert same["latest_invoice"] == before
    assert (await client.get("/v1/invoiceitems", params={"customer": other["customer"]})).json()["data"] == []


async def test_month_to_year_resets_the_cycle_and_invoices_at_once(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    sub, _pro, item = await _upgrade_setup(client)
    yearly = await price(client, amount=10000, interval="year")
    await _halfway(clock, sub)
    changed = await post(
        client, f"/v1/subscriptions/{sub['id']}", **{"items[0][id]": item, "items[0][price]": yearly["id"]}
    )
    now = int(clock.now().timestamp())
    assert changed["billing_cycle_anchor"] == now
    assert changed["items"]["data"][0]["current_period_start"] == now
    invoice = (await client.get(f"/v1/invoices/{changed['latest_invoice']}")).json()
    assert invoice["amount_due"] == 10000 - 500


async def test_a_downgrade_credit_goes_to_the_balance_and_pays_the_next_invoice(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    pro = await price(client, amount=2000)
    basic = await price(client, amount=1000)
    sub = await subscription(client, price_id=pro["id"])
    await _halfway(clock, sub)
    item = sub["items"]["data"][0]["id"]
    await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"items[0][id]": item, "items[0][price]": basic["id"], "proration_behavior": "always_invoice"},
    )
    cust = (await client.get(f"/v1/customers/{sub['customer']}")).json()
    assert cust["balance"] == -500
    txns = (await client.get(f"/v1/customers/{sub['customer']}/balance_transactions")).json()["data"]
    assert [(t["type"], t["amount"], t["ending_balance"]) for t in txns] == [("applied_to_invoice", -500, -500)]
    renewed = await post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    invoice = (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()
    assert (invoice["total"], invoice["starting_balance"], invoice["amount_due"]) == (1000, -500, 500)
    assert (await client.get(f"/v1/customers/{sub['customer']}")).json()["balance"] == 0


async def test_cancel_with_prorate_and_invoice_now_credits_the_unused_time(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    sub, _pro, _item = await _upgrade_setup(client)
    await _halfway(clock, sub)
    r = await client.request(
        "DELETE", f"/v1/subscriptions/{sub['id']}", data={"prorate": "true", "invoice_now": "true"}
    )
    assert r.status_code == 200, r.text
    final = (await client.get(f"/v1/invoices/{r.json()['latest_invoice']}")).json()
    assert final["total"] == -500 and final["amount_due"] == 0
    assert (await client.get(f"/v1/customers/{sub['customer']}")).json()["balance"] == -500


async def test_preview_equals_the_change_with_the_same_proration_date(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    sub, pro, item = await _upgrade_setup(client)
    await _halfway(clock, sub)
    at = int(clock.now().timestamp()) - 3600
    change = {
        "items[0][id]": item,
        "items[0][price]": pro,
        "proration_date": at,
        "proration_behavior": "always_invoice",
    }
    preview = await post(
        client,
        "/v1/invoices/create_preview",
        subscription=sub["id"],
        **{
            f"subscription_details[{k.replace('[', '][', 1) if k.startswith('items') else k}]": v
            for k, v in change.items()
        },
    )
    assert (await client.get("/v1/invoiceitems", params={"customer": sub["customer"]})).json()["data"] == []
    changed = await post(client, f"/v1/subscriptions/{sub['id']}", **change)
    invoice = (await client.get(f"/v1/invoices/{changed['latest_invoice']}")).json()
    assert preview["amount_due"] == invoice["amount_due"] > 0
    assert [line["amount"] for line in preview["lines"]["data"]] == [
        line["amount"] for line in invoice["lines"]["data"]
    ]


async def test_coupons_forever_percent_and_a_promotion_code_limit(client: httpx.AsyncClient) -> None:
    coupon = await post(client, "/v1/coupons", id="HALF", percent_off="50", duration="forever")
    assert (coupon["id"], coupon["percent_off"], coupon["valid"]) == ("HALF", 50, True)
    promo = await post(
        client,
        "/v1/promotion_codes",
        **{"promotion[type]": "coupon", "promotion[coupon]": "HALF"},
        max_redemptions=1,
        code="ONCE",
    )
    sub = await subscription(client, **{"discounts[0][promotion_code]": promo["id"]})
    assert len(sub["discounts"]) == 1
    first = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert (first["subtotal"], first["total"], first["amount_due"]) == (1000, 500, 500)
    assert first["total_discount_amounts"][0]["amount"] == 500
    again = await client.post(
        "/v1/subscriptions",
        data={
            "customer": sub["customer"],
            "items[0][price]": sub["items"]["data"][0]["price"]["id"],
            "discounts[0][promotion_code]": promo["id"],
        },
    )
    assert again.status_code == 400 and again.json()["error"]["param"] == "discounts[0][promotion_code]"
    renewed = await post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()["amount_due"] == 500
    assert len(await events(client, "coupon.created")) == 1


async def test_invoice_items_on_a_draft_become_its_lines(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    draft = await post(client, "/v1/invoices", customer=cust["id"], currency="usd")
    item = await post(
        client, "/v1/invoiceitems", customer=cust["id"], invoice=draft["id"], amount=700, description="Setup"
    )
    assert item["invoice"] == draft["id"]
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json()["amount_due"] == 700
    await post(client, f"/v1/invoiceitems/{item['id']}", amount=900)
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json()["amount_due"] == 900
    r = await client.delete(f"/v1/invoiceitems/{item['id']}")
    assert r.json() == {"id": item["id"], "object": "invoiceitem", "deleted": True}
    assert (await client.get(f"/v1/invoices/{draft['id']}")).json()["lines"]["data"] == []


async def test_the_hosted_invoice_and_its_pdf_show_product_names_discounts_and_the_balance(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await post(client, "/v1/coupons", id="TEN", name="Ten off", amount_off=100, currency="usd", duration="forever")
    gold = (await post(client, "/v1/products", name="Gold"))["id"]
    sub = await subscription(
        client, price_id=(await price(client, product=gold, amount=1000))["id"], **{"discounts[0][coupon]": "TEN"}
    )
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert invoice["lines"]["data"][0]["description"] == "1 × Gold (at $10.00 / month)"
    page = await client.get(invoice["hosted_invoice_url"].replace("http://portal.test", ""))
    assert "1 × Gold (at $10.00 / month)" in page.text and "Discount (Ten off)" in page.text
    assert "$9.00" in page.text  # the customer's language (English here): Babel's CLDR currency format
    pdf = await client.get(invoice["invoice_pdf"].replace("http://portal.test", ""))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    text = text_of(pdf.content)
    period = invoice["lines"]["data"][0]["period"]
    assert "Gold (at $10.00 / month)" in text and "Discount (Ten off)" in text
    t = i18n.translator("en")
    assert f"{t.date(period['start'])} – {t.date(period['end'])}" in text  # the line's period


async def test_a_customer_discount_applies_to_their_invoices_until_deleted(client: httpx.AsyncClient) -> None:
    await post(client, "/v1/coupons", id="LOYAL", percent_off="20", duration="forever")
    cust = await customer(client, coupon="LOYAL")
    assert cust["discount"]["source"]["coupon"]["id"] == "LOYAL" and cust["discount"]["customer"] == cust["id"]
    sub = await subscription(client, customer_id=cust["id"])
    assert (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()["amount_due"] == 800
    r = await client.delete(f"/v1/customers/{cust['id']}/discount")
    assert r.status_code == 200 and r.json()["deleted"] is True and r.json()["object"] == "discount"
    assert (await client.get(f"/v1/customers/{cust['id']}")).json()["discount"] is None
    renewed = await post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()["amount_due"] == 1000
    missing = await client.delete(f"/v1/customers/{cust['id']}/discount")
    assert missing.status_code == 404
    bad = await client.post("/v1/customers", data={"coupon": "NOPE"})
    assert bad.status_code == 404 and bad.json()["error"]["param"] == "coupon"


async def test_subscription_discounts_are_removed_and_coupon_limits_hold(client: httpx.AsyncClient) -> None:
    await post(client, "/v1/coupons", id="ONE", percent_off="10", duration="once", max_redemptions=1)
    sub = await subscription(client, **{"discounts[0][coupon]": "ONE"})
    coupon = (await client.get("/v1/coupons/ONE")).json()
    assert (coupon["times_redeemed"], coupon["valid"]) == (1, False)
    renewed = await post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()["amount_due"] == 1000  # once: used
    r = await client.delete(f"/v1/subscriptions/{sub['id']}/discount")
    assert r.status_code == 200 and (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["discounts"] == []
    again = await client.post(
        "/v1/subscriptions",
        data={
            "customer": sub["customer"],
            "items[0][price]": sub["items"]["data"][0]["price"]["id"],
            "discounts[0][coupon]": "ONE",
        },
    )
    assert again.status_code == 400 and again.json()["error"]["code"] == "coupon_expired"
    bad = await client.post("/v1/coupons", data={"percent_off": "10", "amount_off": "100", "currency": "usd"})
    assert bad.status_code == 400
    deleted = await client.delete("/v1/coupons/ONE")
    assert deleted.json() == {"id": "ONE", "object": "coupon", "deleted": True}


async def test_trials_prorate_nothing_and_trial_end_now_invoices(client: httpx.AsyncClient) -> None:
    sub = await subscription(client, trial_period_days=14)
    assert sub["status"] == "trialing"
    pro = await price(client, amount=3000)
    item = sub["items"]["data"][0]["id"]
    changed = await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{"items[0][id]": item, "items[0][price]": pro["id"], "proration_behavior": "always_invoice"},
    )
    assert changed["latest_invoice"] == sub["latest_invoice"]
    assert (await client.get("/v1/invoiceitems", params={"customer": sub["customer"]})).json()["data"] == []
    preview = await post(
        client, "/v1/invoices/create_preview", subscription=sub["id"], **{"subscription_details[trial_end]": "now"}
    )
    assert preview["amount_due"] == 3000
    ended = await post(client, f"/v1/subscriptions/{sub['id']}", trial_end="now")
    assert ended["status"] == "active" and ended["latest_invoice"] != sub["latest_invoice"]
    invoice = (await client.get(f"/v1/invoices/{ended['latest_invoice']}")).json()
    assert (invoice["amount_due"], invoice["status"]) == (preview["amount_due"], "paid")
    refused = await client.post(f"/v1/subscriptions/{sub['id']}", data={"trial_end": "now"})
    assert refused.status_code == 400 and refused.json()["error"]["param"] == "trial_end"


async def test_error_if_incomplete_undoes_a_change_whose_invoice_is_declined(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    sub, pro, item = await _upgrade_setup(client)
    card = await post(
        client,
        "/v1/payment_methods",
        type="card",
        **{"card[number]": "4000000000000341", "card[exp_month]": 12, "card[exp_year]": 2030},
    )
    await post(client, f"/v1/payment_methods/{card['id']}/attach", customer=sub["customer"])
    await post(client, f"/v1/subscriptions/{sub['id']}", default_payment_method=card["id"])
    await _halfway(clock, sub)
    change = {"items[0][id]": item, "items[0][price]": pro, "proration_behavior": "always_invoice"}
    r = await client.post(f"/v1/subscriptions/{sub['id']}", data={**change, "payment_behavior": "error_if_incomplete"})
    assert r.status_code == 402 and r.json()["error"]["type"] == "card_error"
    kept = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert kept["items"]["data"][0]["price"]["id"] != pro and kept["latest_invoice"] == sub["latest_invoice"]
    allowed = await post(client, f"/v1/subscriptions/{sub['id']}", **change)
    assert allowed["status"] == "past_due" and allowed["items"]["data"][0]["price"]["id"] == pro
    assert (await client.get(f"/v1/invoices/{allowed['latest_invoice']}")).json()["status"] == "open"


async def test_what_is_not_supported_is_refused_by_name(client: httpx.AsyncClient) -> None:
    sub, _pro, item = await _upgrade_setup(client)
    yearly = await price(client, amount=10000, interval="year")
    cases = [
        (
            f"/v1/subscriptions/{sub['id']}",
            {"items[0][id]": item, "items[0][price]": yearly["id"], "billing_cycle_anchor": "unchanged"},
            "billing_cycle_anchor",
        ),
        (
            f"/v1/subscriptions/{sub['id']}",
            {"items[0][id]": item, "items[0][clear_usage]": "true"},
            "items[0][clear_usage]",
        ),
        (
            f"/v1/subscriptions/{sub['id']}",
            {"payment_behavior": "pending_if_incomplete", "cancel_at_period_end": "true"},
            "cancel_at_period_end",
        ),
        (
            "/v1/subscriptions",
            {"customer": sub["customer"], "items[0][price]": yearly["id"], "proration_behavior": "always_invoice"},
            "proration_behavior",
        ),
    ]
    for path, data, param in cases:
        r = await client.post(path, data=data)
        assert r.status_code == 400 and r.json()["error"]["param"] == param, (param, r.text)
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["items"]["data"][0]["id"] == item


async def test_previews_of_discounts_cancel_at_and_a_schedule_write_nothing(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    await post(client, "/v1/coupons", id="PREVIEW", percent_off="50", duration="once", max_redemptions=1)
    sub, _pro, _item = await _upgrade_setup(client)
    discounted = await post(
        client, "/v1/invoices/create_preview", subscription=sub["id"], **{"discounts[0][coupon]": "PREVIEW"}
    )
    assert discounted["amount_due"] == 500 and discounted["total_discount_amounts"][0]["amount"] == 500
    assert (await client.get("/v1/coupons/PREVIEW")).json()["times_redeemed"] == 0
    await _halfway(clock, sub)
    end = sub["items"]["data"][0]["current_period_end"]
    start = sub["items"]["data"][0]["current_period_start"]
    cancel_at = start + (end - start) // 2
    canceling = await post(
        client, "/v1/invoices/create_preview", subscription=sub["id"], **{"subscription_details[cancel_at]": cancel_at}
    )
    assert canceling["total"] == -500 and canceling["amount_due"] == 0
    schedule = await post(client, "/v1/subscription_schedules", from_subscription=sub["id"])
    upcoming = await post(client, "/v1/invoices/create_preview", schedule=schedule["id"])
    assert (
        upcoming["amount_due"] == 1000 and upcoming["subscription"] == sub["id"]
        if "subscription" in upcoming
        else upcoming["amount_due"] == 1000
    )
    assert (await client.get("/v1/invoiceitems", params={"customer": sub["customer"]})).json()["data"] == []


async def test_applies_to_products_and_redeem_by(client: httpx.AsyncClient, clock: FixedClock) -> None:
    gold = (await post(client, "/v1/products", name="Gold"))["id"]
    silver = (await post(client, "/v1/products", name="Silver"))["id"]
    soon = int(clock.now().timestamp()) + 3600
    await post(
        client,
        "/v1/coupons",
        id="GOLD",
        percent_off="50",
        duration="forever",
        **{"applies_to[products][0]": gold},
        redeem_by=soon,
    )
    cust = await customer(client)
    draft = await post(client, "/v1/invoices", customer=cust["id"], currency="usd", **{"discounts[0][coupon]": "GOLD"})
    for product in (gold, silver):
        p = await price(client, product=product, amount=1000, interval=None)
        await post(client, f"/v1/invoices/{draft['id']}/add_lines", **{"lines[0][pricing][price]": p["id"]})
    invoice = (await client.get(f"/v1/invoices/{draft['id']}")).json()
    assert [
        line["discount_amounts"][0]["amount"] if line["discount_amounts"] else 0 for line in invoice["lines"]["data"]
    ] == [500, 0]
    assert invoice["total"] == 1500
    clock.advance(hours=2)
    assert (await client.get("/v1/coupons/GOLD")).json()["valid"] is False
    late = await client.post("/v1/invoices", data={"customer": cust["id"], "discounts[0][coupon]": "GOLD"})
    assert late.status_code == 400 and late.json()["error"]["code"] == "coupon_expired"


async def test_auto_advance_on_finalize_is_refused_not_ignored(client: httpx.AsyncClient) -> None:
    """A draft's auto_advance is honoured (test_test_clocks, test_scheduler); on finalize it would
    mean collecting on Stripe's later schedule, which is refused by name."""
    cust = await customer(client)
    draft = await post(client, "/v1/invoices", customer=cust["id"], auto_advance="false")
    assert draft["auto_advance"] is False and draft["automatically_finalizes_at"] is None
    again = await client.post(f"/v1/invoices/{draft['id']}/finalize", data={"auto_advance": "true"})
    assert again.status_code == 400 and (await client.get(f"/v1/invoices/{draft['id']}")).json()["status"] == "draft"


async def test_add_invoice_items_and_cancel_at_on_create(client: httpx.AsyncClient, clock: FixedClock) -> None:
    setup = await price(client, amount=2500, interval=None)
    later = int(clock.now().timestamp()) + 86400 * 10
    sub = await subscription(
        client,
        cancel_at=later,
        **{"add_invoice_items[0][price]": setup["id"], "add_invoice_items[0][quantity]": 2},
    )
    assert sub["cancel_at"] == later
    first = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert first["amount_due"] == 1000 + 5000 and len(first["lines"]["data"]) == 2
    await post(client, f"/v1/subscriptions/{sub['id']}", **{"add_invoice_items[0][price]": setup["id"]})
    pending = (await client.get("/v1/invoiceitems", params={"pending": "true"})).json()["data"]
    assert [i["amount"] for i in pending] == [2500]
    recurring = await price(client)
    bad = await client.post(f"/v1/subscriptions/{sub['id']}", data={"add_invoice_items[0][price]": recurring["id"]})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "add_invoice_items[0][price]"
