"""Invoices: drafts and lines, finalize, pay, void, uncollectible; the hosted page and its PDF."""

from __future__ import annotations

import httpx

from tests import factories as f


async def _draft(client: httpx.AsyncClient, customer_id: str) -> dict[str, object]:
    return await f.post(
        client, "/v1/invoices", customer=customer_id, collection_method="send_invoice", days_until_due=30
    )


async def test_draft_lines_finalize_pay(client: httpx.AsyncClient, anon: httpx.AsyncClient) -> None:
    cus = await f.customer(client)
    price = await f.price(client, amount=250, interval="")
    draft = await _draft(client, cus["id"])
    assert (draft["status"], draft["hosted_invoice_url"], draft["number"]) == ("draft", None, None)
    lined = await f.post(
        client,
        f"/v1/invoices/{draft['id']}/add_lines",
        **{
            "lines[0][amount]": 1500,
            "lines[0][description]": "Setup",
            "lines[1][pricing][price]": price["id"],
            "lines[1][quantity]": 2,
        },
    )
    assert lined["total"] == 2000 and len(lined["lines"]["data"]) == 2
    final = await f.post(client, f"/v1/invoices/{draft['id']}/finalize")
    assert final["status"] == "open" and final["number"].endswith("-0001") and final["due_date"] is not None
    assert final["hosted_invoice_url"].startswith("http://portal.test/invoices/")
    page = await anon.get(final["hosted_invoice_url"].removeprefix("http://portal.test"))
    assert page.status_code == 200 and "Setup" in page.text and page.headers["x-frame-options"] == "DENY"
    pdf = await anon.get(final["invoice_pdf"].removeprefix("http://portal.test"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content.startswith(b"%PDF-")
    paid = await f.post(client, f"/v1/invoices/{draft['id']}/pay")
    assert (paid["status"], paid["amount_paid"], paid["amount_remaining"]) == ("paid", 2000, 0)
    types = [e["type"] for e in (await client.get("/v1/events", params={"type": "invoice.*"})).json()["data"]]
    assert types[:3] == ["invoice.payment_succeeded", "invoice.paid", "invoice.finalized"]
    again = await client.post(f"/v1/invoices/{draft['id']}/pay")
    assert again.status_code == 400


async def test_void_and_uncollectible_only_from_open(client: httpx.AsyncClient) -> None:
    cus = await f.customer(client)
    a, b = await _draft(client, cus["id"]), await _draft(client, cus["id"])
    assert (await client.post(f"/v1/invoices/{a['id']}/void")).status_code == 400
    for inv in (a, b):
        await f.post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 100})
        await f.post(client, f"/v1/invoices/{inv['id']}/finalize")
    assert (await f.post(client, f"/v1/invoices/{a['id']}/void"))["status"] == "void"
    assert (await f.post(client, f"/v1/invoices/{b['id']}/mark_uncollectible"))["status"] == "uncollectible"
    listed = (await client.get("/v1/invoices", params={"customer": cus["id"], "status": "void"})).json()["data"]
    assert [i["id"] for i in listed] == [a["id"]]


async def test_unknown_hosted_token_and_drafts_are_not_served(
    client: httpx.AsyncClient, anon: httpx.AsyncClient
) -> None:
    assert (await anon.get("/invoices/nope")).status_code == 404


async def test_declined_card_payment_is_a_card_error(client: httpx.AsyncClient) -> None:
    cus = await f.post(
        client,
        "/v1/customers",
        email="x@example.com",
        payment_method="pm_card_chargeCustomerFail",
        **{"invoice_settings[default_payment_method]": "pm_card_chargeCustomerFail"},
    )
    inv = await f.post(client, "/v1/invoices", customer=cus["id"])
    await f.post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 100})
    await f.post(client, f"/v1/invoices/{inv['id']}/finalize")
    r = await client.post(f"/v1/invoices/{inv['id']}/pay")
    assert (r.status_code, r.json()["error"]["code"]) == (402, "card_declined")
    declined = (await client.get(f"/v1/invoices/{inv['id']}")).json()
    assert (declined["status"], declined["attempt_count"], declined["attempted"]) == ("open", 1, True)
    # The declined attempt is recorded, as Stripe records it: one invoice.payment_failed.
    failed = [e for e in await f.events(client, "invoice.payment_failed") if e["data"]["object"]["id"] == inv["id"]]
    assert len(failed) == 1 and failed[0]["data"]["object"]["attempt_count"] == 1
    again = await client.post(f"/v1/invoices/{inv['id']}/pay", headers={"Idempotency-Key": "pay-declined"})
    replay = await client.post(f"/v1/invoices/{inv['id']}/pay", headers={"Idempotency-Key": "pay-declined"})
    assert again.status_code == replay.status_code == 402 and replay.headers["Idempotent-Replayed"] == "true"
    assert (await client.get(f"/v1/invoices/{inv['id']}")).json()["attempt_count"] == 2
    assert (await f.post(client, f"/v1/invoices/{inv['id']}/pay", paid_out_of_band="true"))["status"] == "paid"


async def test_paying_the_latest_invoice_reactivates_a_past_due_subscription(client: httpx.AsyncClient) -> None:
    sub = await f.subscription(client, collection_method="send_invoice", days_until_due=7)
    await f.post(client, f"/v1/test_helpers/subscriptions/{sub['id']}/status", status="past_due")
    await f.post(client, f"/v1/invoices/{sub['latest_invoice']}/pay", paid_out_of_band="true")
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["status"] == "active"
