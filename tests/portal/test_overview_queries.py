"""Issue 21: the portal overview is a few queries, whatever the number of subscriptions,
payment methods and invoices the customer has (each kind is read in one query for all)."""

from __future__ import annotations

import httpx

from app.store.database import Database
from tests import factories as f
from tests.portal import shop as s
from tests.portal.test_portal_api import act, sign_in
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
    # With the fast path the visit's read brings its configuration, customer and account, and
    # the subscriptions come with their items, prices and products (one statement each).
    assert many <= one <= (5 if db.fast_path else 12), (one, many)


async def test_a_plan_change_reads_its_subscription_items_once_and_answers_in_its_transaction(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, db: Database
) -> None:
    """The change (its checks, the update, the event's before and after) and the overview it
    answers with share one transaction: each lock is taken once, the items are read once."""
    shop = await s.shop(client)
    overview = await sign_in(client, browser, shop.customer["id"])
    with counted(db) as seen:
        r = await act(browser, overview, "POST", f"/subscriptions/{shop.subscription['id']}/update", quantity=3)
    assert r.status_code == 200, r.text
    assert r.json()["subscriptions"][0]["items"][0]["quantity"] == 3  # the answer shows the change
    items = sum(1 for x in seen if x.lstrip().upper().startswith("SELECT") and "FROM subscription_items" in x)
    locks = sum(1 for x in seen if "FOR UPDATE" in x.upper())
    if db.fast_path:
        assert items == 1, seen
        if not db.is_sqlite:  # SQLite has no FOR UPDATE (its writer is the lock)
            assert locks == 2, seen  # the customer, then the subscription
    else:
        assert items >= 4
