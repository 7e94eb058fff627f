"""Subscription parameters beyond the money ones, each with its effect as Stripe documents it
(https://docs.stripe.com/api/subscriptions/create): an inline `price_data` or the older `plan`,
`trial_from_plan`, a billing cycle anchor (a timestamp or a day of the month) with its prorated
first invoice, `billing_mode`, and the `invoice_settings` and `payment_settings` its invoices carry."""

from __future__ import annotations

from datetime import UTC, datetime

import httpx

from app.clock import FixedClock
from tests.factories import customer, post, price


def ts(year: int, month: int, day: int) -> int:
    return int(datetime(year, month, day, tzinfo=UTC).timestamp())


async def test_price_data_makes_the_items_own_price_and_plan_names_a_price(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    product = await post(client, "/v1/products", name="Inline")
    sub = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        **{
            "items[0][price_data][currency]": "usd",
            "items[0][price_data][product]": product["id"],
            "items[0][price_data][recurring][interval]": "month",
            "items[0][price_data][unit_amount_decimal]": "1500",
        },
    )
    made = sub["items"]["data"][0]["price"]
    assert (made["unit_amount"], made["product"]) == (1500, product["id"])
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert invoice["total"] == 1500
    other = await price(client, amount=700)
    by_plan = await post(client, "/v1/subscriptions", customer=cust["id"], **{"items[0][plan]": other["id"]})
    assert by_plan["items"]["data"][0]["price"]["id"] == other["id"]
    fraction = await client.post(
        "/v1/subscriptions",
        data={
            "customer": cust["id"],
            "items[0][price_data][currency]": "usd",
            "items[0][price_data][product]": product["id"],
            "items[0][price_data][recurring][interval]": "month",
            "items[0][price_data][unit_amount_decimal]": "10.5",
        },
    )
    assert fraction.status_code == 400
    assert fraction.json()["error"]["param"] == "items[0][price_data][unit_amount_decimal]"
    item = await post(
        client,
        "/v1/subscription_items",
        subscription=by_plan["id"],
        **{
            "price_data[currency]": "usd",
            "price_data[product]": product["id"],
            "price_data[recurring][interval]": "month",
            "price_data[unit_amount]": 300,
            "proration_behavior": "none",
        },
    )
    assert item["price"]["unit_amount"] == 300


async def test_a_prices_trial_applies_only_with_trial_from_plan(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    trial_price = await price(client, **{"recurring[trial_period_days]": 7})
    plain = await post(client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": trial_price["id"]})
    assert plain["status"] == "active" and plain["trial_end"] is None
    trial = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        trial_from_plan="true",
        **{"items[0][price]": trial_price["id"]},
    )
    assert trial["status"] == "trialing" and trial["trial_end"] - trial["trial_start"] == 7 * 86400


async def test_an_anchor_in_the_month_prorates_the_first_invoice(client: httpx.AsyncClient, clock: FixedClock) -> None:
    """Stripe's example: a monthly price anchored on the 1st, started mid-month, first bills the
    rest of the month (https://docs.stripe.com/billing/subscriptions/billing-cycle)."""
    clock.at = datetime(2026, 4, 16, tzinfo=UTC)
    cust = await customer(client)
    monthly = await price(client, amount=3000)
    sub = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        **{"items[0][price]": monthly["id"], "billing_cycle_anchor_config[day_of_month]": 1},
    )
    assert sub["billing_cycle_anchor"] == ts(2026, 5, 1)
    assert sub["items"]["data"][0]["current_period_end"] == ts(2026, 5, 1)
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    # 15 of April's 30 days: half of 30.00.
    assert invoice["total"] == 1500 and invoice["lines"]["data"][0]["parent"]["subscription_item_details"]["proration"]
    free = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        proration_behavior="none",
        billing_cycle_anchor=ts(2026, 4, 20),
        **{"items[0][price]": monthly["id"]},
    )
    assert (await client.get(f"/v1/invoices/{free['latest_invoice']}")).json()["total"] == 0
    late = await client.post(
        "/v1/subscriptions",
        data={"customer": cust["id"], "items[0][price]": monthly["id"], "billing_cycle_anchor": ts(2026, 6, 1)},
    )
    assert late.status_code == 400 and late.json()["error"]["param"] == "billing_cycle_anchor"
    renewed = await post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/advance")
    assert renewed["items"]["data"][0]["current_period_end"] == ts(2026, 6, 1)


async def test_billing_mode_invoice_and_payment_settings_show_and_reach_its_invoices(
    client: httpx.AsyncClient,
) -> None:
    cust = await customer(client)
    own = await post(client, "/v1/tax_ids", type="eu_vat", value="SE123456789123")
    sub = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        **{
            "items[0][price]": (await price(client))["id"],
            "billing_mode[type]": "flexible",
            "invoice_settings[account_tax_ids][0]": own["id"],
            "invoice_settings[issuer][type]": "self",
            "payment_settings[payment_method_types][0]": "card",
            "payment_settings[save_default_payment_method]": "on_subscription",
        },
    )
    assert sub["billing_mode"]["type"] == "flexible"
    assert sub["invoice_settings"]["account_tax_ids"] == [own["id"]]
    assert sub["payment_settings"]["payment_method_types"] == ["card"]
    assert sub["payment_settings"]["save_default_payment_method"] == "on_subscription"
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert invoice["account_tax_ids"] == [own["id"]] and invoice["payment_settings"]["payment_method_types"] == ["card"]
    updated = await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        **{
            "payment_settings[payment_method_types]": "",
            "trial_settings[end_behavior][missing_payment_method]": "pause",
        },
    )
    assert updated["payment_settings"]["payment_method_types"] is None
    assert updated["trial_settings"]["end_behavior"]["missing_payment_method"] == "pause"
    bad = await client.post(f"/v1/subscriptions/{sub['id']}", data={"invoice_settings[account_tax_ids][0]": "txi_nope"})
    assert bad.status_code == 404 and bad.json()["error"]["param"] == "invoice_settings[account_tax_ids][0]"
