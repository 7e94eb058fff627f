"""Issue 21: the portal overview is a few queries, whatever the number of subscriptions,
payment methods and invoices the customer has (each kind is read in one query for all)."""

from __future__ import annotations

import httpx

from app.store.database import Database
from tests import factories as f
from tests.portal import shop as s
from tests.portal.test_portal_api import sign_in
from tests.store.test_fast_path import counted


async def _overview_statements(db: Database, browser: httpx.AsyncClient) -> int:
    """The reads of one overview (a visit's `last_seen` is written now and then: not counted)."""
    with counted(db) as seen:
        r = await browser.get("/p/api/overview")
        assert r.status_code == 200
    return sum(1 for statement in seen if statement.lstrip().upper().startswith("SELECT"))


async def test_the_overview_reads_the_same_few_times_for_one_or_many_of_everything(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, db: Database
) -> None:
    shop = await s.shop(client)
    customer = shop.customer["id"]
    await sign_in(client, browser, customer)
    one = await _overview_statements(db, browser)
    for _ in range(4):
        await f.subscription(client, customer_id=customer, price_id=shop.yearly["id"])
    for card in ("pm_card_mastercard", "pm_card_amex"):
        await f.post(client, f"/v1/payment_methods/{card}/attach", customer=customer)
    for n in range(6):
        await f.post(client, "/v1/invoiceitems", customer=customer, amount=str(100 + n), currency="usd")
        draft = await f.post(client, "/v1/invoices", customer=customer, pending_invoice_items_behavior="include")
        await f.post(client, f"/v1/invoices/{draft['id']}/finalize")
    overview = (await browser.get("/p/api/overview")).json()
    assert len(overview["subscriptions"]) == 5 and len(overview["payment_methods"]) == 3
    assert len(overview["invoices"]) == 10  # a page of the history
    many = await _overview_statements(db, browser)
    # Each kind in one query for all of them (prices read once more when the configuration
    # offers one no subscription has yet).
    assert many <= one <= 12, (one, many)
