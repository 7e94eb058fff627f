"""Payment methods: test tokens and numbers, attach/detach, defaults, and R9."""

from __future__ import annotations

import asyncio

import httpx
import pytest

from tests import factories as f
from tests.conftest import PG


async def test_test_tokens_and_numbers_never_store_the_number(client: httpx.AsyncClient) -> None:
    by_number = await f.post(
        client,
        "/v1/payment_methods",
        type="card",
        **{"card[number]": "4242424242424242", "card[exp_month]": 12, "card[exp_year]": 2030, "card[cvc]": "123"},
    )
    assert (by_number["card"]["brand"], by_number["card"]["last4"]) == ("visa", "4242")
    assert "4242424242424242" not in str(by_number)
    by_token = await f.post(client, "/v1/payment_methods", type="card", **{"card[token]": "tok_mastercard"})
    assert by_token["card"]["brand"] == "mastercard"
    bad = await client.post("/v1/payment_methods", data={"type": "card", "card[number]": "4242424242424241"})
    assert (bad.status_code, bad.json()["error"]["code"]) == (400, "incorrect_number")
    sepa = await f.post(
        client, "/v1/payment_methods", type="sepa_debit", **{"sepa_debit[iban]": "DE89370400440532013000"}
    )
    assert (sepa["sepa_debit"]["last4"], sepa["sepa_debit"]["country"]) == ("3000", "DE")
    ideal = await f.post(client, "/v1/payment_methods", type="ideal", **{"ideal[bank]": "ing"})
    assert ideal["type"] == "ideal"


async def test_live_mode_refuses_raw_card_numbers_and_test_tokens(live_client: httpx.AsyncClient) -> None:
    r = await live_client.post(
        "/v1/payment_methods",
        data={"type": "card", "card[number]": "4242424242424242", "card[exp_month]": "1", "card[exp_year]": "2031"},
    )
    assert (r.status_code, r.json()["error"]["param"]) == (400, "card[number]")
    cus = await f.customer(live_client, card=False)
    r = await live_client.post("/v1/payment_methods/pm_card_visa/attach", data={"customer": cus["id"]})
    assert r.status_code == 404


async def test_attach_lists_and_default(client: httpx.AsyncClient) -> None:
    cus = await f.customer(client, card=False)
    pm = await f.post(client, "/v1/payment_methods/pm_card_visa/attach", customer=cus["id"])
    assert pm["customer"] == cus["id"] and pm["id"] != "pm_card_visa"
    listed = (await client.get(f"/v1/customers/{cus['id']}/payment_methods")).json()["data"]
    assert [p["id"] for p in listed] == [pm["id"]]
    assert (await client.get("/v1/payment_methods", params={"customer": cus["id"], "type": "sepa_debit"})).json()[
        "data"
    ] == []
    updated = await f.post(
        client, f"/v1/customers/{cus['id']}", **{"invoice_settings[default_payment_method]": pm["id"]}
    )
    assert updated["invoice_settings"]["default_payment_method"] == pm["id"]
    expanded = (
        await client.get(f"/v1/customers/{cus['id']}", params={"expand[]": "invoice_settings.default_payment_method"})
    ).json()
    assert expanded["invoice_settings"]["default_payment_method"]["card"]["last4"] == "4242"
    other = await f.post(client, "/v1/payment_methods", type="card", **{"card[token]": "tok_visa"})
    r = await client.post(f"/v1/customers/{cus['id']}", data={"invoice_settings[default_payment_method]": other["id"]})
    assert r.status_code == 400  # not attached to this customer


async def test_r9_last_payment_method_of_an_active_subscriber_cannot_be_removed(client: httpx.AsyncClient) -> None:
    """R9: removing the last method fails with a clear message; adding a new one first, then removing, works."""
    sub = await f.subscription(client)
    cus = (await client.get(f"/v1/customers/{sub['customer']}")).json()
    old = cus["invoice_settings"]["default_payment_method"]
    r = await client.post(f"/v1/payment_methods/{old}/detach")
    assert r.status_code == 400
    err = r.json()["error"]
    assert err["code"] == "payment_method_required" and "Add a new payment method first" in err["message"]
    assert (await client.get(f"/v1/payment_methods/{old}")).json()["customer"] == cus["id"]

    new = await f.post(client, "/v1/payment_methods/pm_card_mastercard/attach", customer=cus["id"])
    detached = await f.post(client, f"/v1/payment_methods/{old}/detach")
    assert detached["customer"] is None
    # The default moved on to the remaining method, on the customer and on the subscription's payer.
    after = (await client.get(f"/v1/customers/{cus['id']}")).json()
    assert after["invoice_settings"]["default_payment_method"] == new["id"]
    assert [e["data"]["object"]["id"] for e in await f.events(client, "payment_method.detached")] == [old]


async def test_r9_does_not_apply_without_an_active_subscription(client: httpx.AsyncClient) -> None:
    """R9 holds only while a subscription is active, trialing or past_due."""
    sub = await f.subscription(client)
    pm = (await client.get(f"/v1/customers/{sub['customer']}")).json()["invoice_settings"]["default_payment_method"]
    assert (await client.delete(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "canceled"
    assert (await client.post(f"/v1/payment_methods/{pm}/detach")).status_code == 200


async def test_r9_trialing_and_past_due_count_as_active(client: httpx.AsyncClient) -> None:
    """R9: trialing and past_due subscriptions also keep the last method."""
    trial = await f.subscription(client, trial_period_days=7)
    assert trial["status"] == "trialing"
    pm = (await client.get(f"/v1/customers/{trial['customer']}")).json()["invoice_settings"]["default_payment_method"]
    assert (await client.post(f"/v1/payment_methods/{pm}/detach")).status_code == 400
    due = await f.subscription(client)
    await f.post(client, f"/v1/test_helpers/subscriptions/{due['id']}/status", status="past_due")
    pm = (await client.get(f"/v1/customers/{due['customer']}")).json()["invoice_settings"]["default_payment_method"]
    assert (await client.post(f"/v1/payment_methods/{pm}/detach")).status_code == 400


TRIALS = 200


@pytest.mark.parametrize("trial_batch", range(4))
async def test_r9_two_racing_detaches_never_leave_zero(client: httpx.AsyncClient, trial_batch: int) -> None:
    """R9 under races: two concurrent detaches of a subscriber's last two methods leave one (4 x 50 trials)."""
    price = await f.price(client)
    violations = 0
    for _ in range(TRIALS // 4):
        cus = await f.customer(client)
        second = await f.post(client, "/v1/payment_methods/pm_card_mastercard/attach", customer=cus["id"])
        await f.subscription(client, customer_id=cus["id"], price_id=price["id"])
        first = cus["invoice_settings"]["default_payment_method"]
        results = await asyncio.gather(
            client.post(f"/v1/payment_methods/{first}/detach"),
            client.post(f"/v1/payment_methods/{second['id']}/detach"),
        )
        codes = sorted(r.status_code for r in results)
        remaining = (await client.get(f"/v1/customers/{cus['id']}/payment_methods")).json()["data"]
        if len(remaining) != 1 or codes != [200, 400]:
            violations += 1
    assert violations == 0, f"{violations} trials ended with a wrong count ({'PostgreSQL' if PG else 'SQLite'})"


async def test_stripes_decline_cards_refuse_attaching_and_charge_fail_cards_fail_charges(
    client: httpx.AsyncClient,
) -> None:
    """https://docs.stripe.com/testing#declined-payments: each decline card is a card_error with its
    decline_code when attached; pm_card_chargeCustomerFail attaches, then every charge fails."""
    for token, code, decline in [
        ("pm_card_chargeDeclined", "card_declined", "generic_decline"),
        ("pm_card_chargeDeclinedInsufficientFunds", "card_declined", "insufficient_funds"),
        ("pm_card_chargeDeclinedExpiredCard", "expired_card", "expired_card"),
        ("pm_card_chargeDeclinedIncorrectCvc", "incorrect_cvc", "incorrect_cvc"),
    ]:
        r = await client.post("/v1/customers", data={"payment_method": token})
        error = r.json()["error"]
        assert r.status_code == 402 and (error["type"], error["code"], error["decline_code"]) == (
            "card_error",
            code,
            decline,
        )
    customer = (await client.post("/v1/customers", data={"payment_method": "pm_card_chargeCustomerFail"})).json()
    assert "id" in customer
    invoice = (await client.post("/v1/invoices", data={"customer": customer["id"], "currency": "usd"})).json()
    await client.post(f"/v1/invoices/{invoice['id']}/add_lines", data={"lines[0][amount]": "500"})
    pm = (await client.get(f"/v1/customers/{customer['id']}/payment_methods")).json()["data"][0]["id"]
    paid = await client.post(f"/v1/invoices/{invoice['id']}/pay", data={"payment_method": pm})
    assert paid.status_code == 402 and paid.json()["error"]["decline_code"] == "generic_decline"
