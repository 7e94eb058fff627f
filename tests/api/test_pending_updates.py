"""Pending updates (https://docs.stripe.com/billing/subscriptions/pending-updates): with
`payment_behavior=pending_if_incomplete` a change that bills now takes effect only once its
invoice is paid; until then the subscription keeps its items and shows `pending_update`; paid,
it applies (`customer.subscription.pending_update_applied`); unpaid for 23 hours, it expires
(`customer.subscription.pending_update_expired`, its invoice voided)."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import clocked_subscriber, events, post, price

START = 1_800_000_000
HOUR = 3600


async def _setup(client: httpx.AsyncClient) -> tuple[dict[str, Any], dict[str, Any], str, dict[str, Any]]:
    clock, cust, sub = await clocked_subscriber(client, START)
    monthly = sub["items"]["data"][0]["price"]["id"]
    failing = await post(client, "/v1/payment_methods/pm_card_chargeCustomerFail/attach", customer=cust["id"])
    await post(client, f"/v1/subscriptions/{sub['id']}", default_payment_method=failing["id"])
    return clock, sub, str(monthly), cust


async def _upgrade(client: httpx.AsyncClient, sub: dict[str, Any]) -> tuple[dict[str, Any], str]:
    dearer = await price(client, amount=3000)
    item = sub["items"]["data"][0]["id"]
    changed = await post(
        client,
        f"/v1/subscriptions/{sub['id']}",
        payment_behavior="pending_if_incomplete",
        proration_behavior="always_invoice",
        **{"items[0][id]": item, "items[0][price]": dearer["id"]},
    )
    return changed, str(dearer["id"])


async def test_an_unpaid_change_waits_and_applies_when_its_invoice_is_paid(client: httpx.AsyncClient) -> None:
    _clock, sub, monthly, cust = await _setup(client)
    changed, dearer = await _upgrade(client, sub)
    assert changed["items"]["data"][0]["price"]["id"] == monthly  # not yet
    pending = changed["pending_update"]
    assert pending["expires_at"] == START + 23 * HOUR
    assert [i["price"]["id"] for i in pending["subscription_items"]] == [dearer]
    assert changed["status"] == "active"
    invoice = changed["latest_invoice"]
    await post(client, f"/v1/customers/{cust['id']}", **{"invoice_settings[default_payment_method]": ""})
    await post(client, f"/v1/subscriptions/{sub['id']}", default_payment_method="")
    visa = await post(client, "/v1/payment_methods/pm_card_visa/attach", customer=cust["id"])
    await post(client, f"/v1/invoices/{invoice}/pay", payment_method=visa["id"])
    applied = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert applied["items"]["data"][0]["price"]["id"] == dearer and applied["pending_update"] is None
    assert [
        e["data"]["object"]["id"] for e in await events(client, "customer.subscription.pending_update_applied")
    ] == [sub["id"]]


async def test_an_unpaid_pending_update_expires_after_23_hours(client: httpx.AsyncClient) -> None:
    clock, sub, monthly, _cust = await _setup(client)
    changed, _dearer = await _upgrade(client, sub)
    again = await client.post(
        f"/v1/subscriptions/{sub['id']}",
        data={"payment_behavior": "pending_if_incomplete", "description": "x"},
    )
    assert again.status_code == 400 and again.json()["error"]["param"] == "description"
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=START + 23 * HOUR)
    expired = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert expired["pending_update"] is None and expired["items"]["data"][0]["price"]["id"] == monthly
    assert (await client.get(f"/v1/invoices/{changed['latest_invoice']}")).json()["status"] == "void"
    assert [
        e["data"]["object"]["id"] for e in await events(client, "customer.subscription.pending_update_expired")
    ] == [sub["id"]]


async def test_a_paid_change_applies_at_once(client: httpx.AsyncClient) -> None:
    _clock, _cust, sub = await clocked_subscriber(client, START)
    changed, dearer = await _upgrade(client, sub)
    assert changed["pending_update"] is None and changed["items"]["data"][0]["price"]["id"] == dearer
