"""Stripe's 3-D Secure test cards (https://docs.stripe.com/testing#regulatory-cards):
`pm_card_threeDSecure2Required` makes every payment wait for the customer's authentication. A
subscription started with it stays `incomplete` (its first invoice open,
`invoice.payment_action_required`), the hosted invoice page offers the test authentication step
that completes or fails it, and unauthenticated it expires after 23 hours; charged off-session it
fails with `authentication_required`."""

from __future__ import annotations

import re
from typing import Any

import httpx

from tests.factories import clocked_subscriber, events, post, price

HOUR = 3600


async def _secure_customer(client: httpx.AsyncClient, **extra: Any) -> dict[str, Any]:
    return await post(
        client,
        "/v1/customers",
        email="3ds@example.com",
        payment_method="pm_card_threeDSecure2Required",
        **{"invoice_settings[default_payment_method]": "pm_card_threeDSecure2Required"},
        **extra,
    )


async def _answer(client: httpx.AsyncClient, url: str, outcome: str) -> httpx.Response:
    path = url.replace("http://portal.test", "")
    page = await client.get(path)
    assert page.status_code == 200 and 'data-testid="authentication"' in page.text
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf
    # The page set its CSRF cookie on the client; the form carries the same value.
    return await client.post(f"{path}/authenticate", data={"csrf_token": csrf.group(1), "outcome": outcome})


async def test_a_sign_up_waits_for_authentication_and_completes_on_the_hosted_page(client: httpx.AsyncClient) -> None:
    cust = await _secure_customer(client)
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    assert sub["status"] == "incomplete"
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert invoice["status"] == "open" and invoice["attempt_count"] == 1
    waiting = [e["data"]["object"]["id"] for e in await events(client, "invoice.payment_action_required")]
    assert waiting == [invoice["id"]]
    done = await _answer(client, invoice["hosted_invoice_url"], "complete")
    assert done.status_code == 303 and done.headers["location"].endswith("?authentication=completed")
    assert (await client.get(f"/v1/invoices/{invoice['id']}")).json()["status"] == "paid"
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "active"
    page = await client.get(invoice["hosted_invoice_url"].replace("http://portal.test", ""))
    assert 'data-testid="authentication"' not in page.text


async def test_a_failed_authentication_leaves_it_incomplete_and_it_expires_after_23_hours(
    client: httpx.AsyncClient,
) -> None:
    start = 1_800_000_000
    clock = await post(client, "/v1/test_helpers/test_clocks", frozen_time=start)
    cust = await _secure_customer(client, test_clock=clock["id"])
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    failed = await _answer(client, invoice["hosted_invoice_url"], "fail")
    assert failed.headers["location"].endswith("?authentication=failed")
    assert invoice["id"] in [e["data"]["object"]["id"] for e in await events(client, "invoice.payment_failed")]
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "incomplete"
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=start + 23 * HOUR)
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "incomplete_expired"
    assert (await client.get(f"/v1/invoices/{invoice['id']}")).json()["status"] == "void"


async def test_off_session_it_fails_with_authentication_required(client: httpx.AsyncClient) -> None:
    cust = await _secure_customer(client)
    monthly = await price(client)
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], off_session="true", **{"items[0][price]": monthly["id"]}
    )
    assert sub["status"] == "incomplete"
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert invoice["id"] not in [
        e["data"]["object"]["id"] for e in await events(client, "invoice.payment_action_required")
    ]
    paid = await client.post(f"/v1/invoices/{invoice['id']}/pay", data={"off_session": "true"})
    error = paid.json()["error"]
    assert paid.status_code == 402 and (error["type"], error["decline_code"]) == (
        "card_error",
        "authentication_required",
    )
    on_session = await client.post(f"/v1/invoices/{invoice['id']}/pay")
    assert on_session.status_code == 402
    assert on_session.json()["error"]["code"] == "invoice_payment_intent_requires_action"


async def test_a_renewal_needing_authentication_makes_it_past_due(client: httpx.AsyncClient) -> None:
    start = 1_800_000_000
    clock, cust, sub = await clocked_subscriber(client, start)
    secure = await post(client, "/v1/payment_methods/pm_card_threeDSecure2Required/attach", customer=cust["id"])
    await post(client, f"/v1/subscriptions/{sub['id']}", default_payment_method=secure["id"])
    end = sub["items"]["data"][0]["current_period_end"]
    await post(client, f"/v1/test_helpers/test_clocks/{clock['id']}/advance", frozen_time=end + 2 * HOUR)
    renewed = (await client.get(f"/v1/subscriptions/{sub['id']}")).json()
    assert renewed["status"] == "past_due"
    waiting = [e["data"]["object"]["id"] for e in await events(client, "invoice.payment_action_required")]
    assert renewed["latest_invoice"] in waiting
    done = await _answer(
        client, (await client.get(f"/v1/invoices/{renewed['latest_invoice']}")).json()["hosted_invoice_url"], "complete"
    )
    assert done.status_code == 303
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "active"


async def test_the_authentication_step_refuses_a_forged_form(client: httpx.AsyncClient) -> None:
    cust = await _secure_customer(client)
    sub = await post(
        client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": (await price(client))["id"]}
    )
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    path = invoice["hosted_invoice_url"].replace("http://portal.test", "")
    forged = await client.post(f"{path}/authenticate", data={"csrf_token": "x", "outcome": "complete"})
    assert forged.status_code == 403
    assert (await client.get(f"/v1/invoices/{invoice['id']}")).json()["status"] == "open"


async def test_a_subscription_item_change_charged_off_session_fails_authentication(client: httpx.AsyncClient) -> None:
    """Off-session the change's invoice is declined (`invoice.payment_failed`); on-session the
    same change waits for authentication (`invoice.payment_action_required`)."""
    cust = await _secure_customer(client)
    monthly = await price(client)
    sub = await post(client, "/v1/subscriptions", customer=cust["id"], **{"items[0][price]": monthly["id"]})
    await _answer(
        client, (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()["hosted_invoice_url"], "complete"
    )
    item = sub["items"]["data"][0]["id"]
    away = await post(
        client,
        f"/v1/subscription_items/{item}",
        price=(await price(client, amount=5000))["id"],
        proration_behavior="always_invoice",
        off_session="true",
    )
    away_invoice = (await client.get(f"/v1/subscriptions/{away['subscription']}")).json()["latest_invoice"]
    present = await post(
        client,
        f"/v1/subscription_items/{item}",
        price=(await price(client, amount=9000))["id"],
        proration_behavior="always_invoice",
    )
    present_invoice = (await client.get(f"/v1/subscriptions/{present['subscription']}")).json()["latest_invoice"]
    failed = [e["data"]["object"]["id"] for e in await events(client, "invoice.payment_failed")]
    waiting = [e["data"]["object"]["id"] for e in await events(client, "invoice.payment_action_required")]
    assert away_invoice in failed and away_invoice not in waiting
    assert present_invoice in waiting and present_invoice not in failed
