"""The store's fast path (app/store/fast_path.py): a row read by id once in a unit of work is not
read again, and hands out only what a query would have: never a deleted, detached or expired
instance, never a miss, and a locking read still reads (and refreshes) the row. The same checks
with the switch off show the plain path reads every time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
from sqlalchemy import event, update

from app.scope import Scope
from app.store import fast_path
from app.store.database import Database
from app.store.models import Customer, SubscriptionItem
from app.store.repositories.base import Cursor
from tests.conftest import Keys
from tests.factories import clocked_subscriber, customer, post, price, subscription


@contextmanager
def counted(db: Database) -> Iterator[list[str]]:
    """The statements sent to the database while the block runs."""
    seen: list[str] = []

    def note(_conn: object, _cursor: object, statement: str, *_: object) -> None:
        seen.append(statement)

    engines = {db.writer.sync_engine, db.reader.sync_engine}
    for engine in engines:
        event.listen(engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        for engine in engines:
            event.remove(engine, "before_cursor_execute", note)


def _customer_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM customers" in s)


async def _made(client: httpx.AsyncClient, keys: Keys) -> tuple[Scope, str]:
    return Scope(keys.account_id, False), (await customer(client, card=False))["id"]


async def test_a_second_read_by_id_in_one_unit_of_work_is_not_sent(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    scope, cus = await _made(client, keys)
    with counted(db) as seen:
        async with db.uow(write=False) as uow:
            first = await uow.customers.get(scope, cus)
            again = await uow.customers.get(scope, cus)
            both = await uow.customers.many(scope, [cus])
    assert first is again is both[cus]
    assert _customer_reads(seen) == (1 if db.fast_path else 3)


async def test_a_locking_read_reads_the_row_and_what_it_read_is_handed_out(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    scope, cus = await _made(client, keys)
    async with db.uow() as uow:
        kept = await uow.customers.get(scope, cus)
        assert kept is not None
        # Changed behind the ORM's back (another transaction would look the same to this one).
        await uow.session.execute(update(Customer).where(Customer.id == cus).values(name="Changed"))
        with counted(db) as seen:
            locked = await uow.customers.get_for_update(scope, cus)
            after = await uow.customers.get(scope, cus)
        assert locked is kept and locked.name == "Changed"  # read again and refreshed
        assert after is locked and _customer_reads(seen) == (1 if db.fast_path else 2)


async def test_misses_deleted_and_expired_instances_are_read_again(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    scope, cus = await _made(client, keys)
    async with db.uow() as uow:
        assert await uow.customers.get(scope, "cus_not_yet") is None
        with counted(db) as seen:
            assert await uow.customers.get(scope, "cus_not_yet") is None  # a miss is asked again
        assert _customer_reads(seen) == 1
        found = await uow.customers.get(scope, cus)
        assert found is not None
        uow.session.expire(found)  # as a rolled-back savepoint leaves it
        with counted(db) as seen:
            again = await uow.customers.get(scope, cus)
        assert again is found and again.email == "c@example.com" and _customer_reads(seen) == 1
        await uow.session.delete(found)
        await uow.session.flush()
        assert await uow.customers.get(scope, cus) is None  # deleted: never handed out


def _reads(statements: list[str], table: str) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and f"FROM {table}" in s)


async def test_a_row_locked_once_a_transaction_is_not_locked_again(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """The lock is held until the transaction ends: a second `get_for_update` hands out what the
    first read. A lock taken in a rolled-back savepoint was released, so it is taken again."""
    scope, cus = await _made(client, keys)
    async with db.uow() as uow:
        with counted(db) as seen:
            first = await uow.customers.get_for_update(scope, cus)
            again = await uow.customers.get_for_update(scope, cus)
        assert first is again and _customer_reads(seen) == (1 if db.fast_path else 2)
    async with db.uow() as uow:
        savepoint = await uow.session.begin_nested()
        await uow.customers.get_for_update(scope, cus)
        await savepoint.rollback()
        with counted(db) as seen:
            await uow.customers.get_for_update(scope, cus)
        assert _customer_reads(seen) == 1
    async with db.uow() as uow:
        await uow.customers.get_for_update(scope, cus)
        await uow.commit()  # the lock ends with its transaction; the session may go on
        with counted(db) as seen:
            await uow.customers.get_for_update(scope, cus)
        assert _customer_reads(seen) == 1


async def test_a_subscriptions_items_are_kept_until_one_is_added_or_deleted_or_a_lock_is_taken(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    sub = await subscription(client)
    scope, sid = Scope(keys.account_id, False), sub["id"]
    async with db.uow() as uow:
        with counted(db) as seen:
            first = await uow.subscription_items.for_subscriptions(scope, [sid])
            again = await uow.subscription_items.for_subscriptions(scope, [sid])
        assert [i.id for i in first[sid]] == [i.id for i in again[sid]] == [sub["items"]["data"][0]["id"]]
        assert first[sid][0] is again[sid][0]
        assert _reads(seen, "subscription_items") == (1 if db.fast_path else 2)
        # A new item: while pending and after the flush, the list is read again and holds it.
        extra = SubscriptionItem(
            id="si_fastpath_extra",
            account_id=scope.account_id,
            livemode=False,
            created=first[sid][0].created + 1,
            subscription_id=sid,
            price_id=first[sid][0].price_id,
            quantity=1,
            current_period_start=first[sid][0].current_period_start,
            current_period_end=first[sid][0].current_period_end,
            metadata_={},
        )
        uow.subscription_items.add(extra)
        assert len((await uow.subscription_items.for_subscriptions(scope, [sid]))[sid]) == 2
        assert len((await uow.subscription_items.for_subscriptions(scope, [sid]))[sid]) == 2
        await uow.subscription_items.delete(extra)
        assert len((await uow.subscription_items.for_subscriptions(scope, [sid]))[sid]) == 1
        # What is decided on under a lock is read after it (another transaction may have changed it before).
        with counted(db) as seen:
            await uow.subscriptions.get_for_update(scope, sid)
            await uow.subscription_items.for_subscriptions(scope, [sid])
        assert _reads(seen, "subscription_items") == 1


async def test_prepared_statements_are_built_once_only_with_the_fast_path(db: Database) -> None:
    """One statement object a process for a hot read (on); built anew each call (off). The same
    SQL either way."""
    built: list[object] = []

    def build() -> object:
        built.append(object())
        return built[-1]

    async with db.uow(write=False) as uow:
        first = fast_path.prepared(uow.session, ("test", id(built)), build)
        again = fast_path.prepared(uow.session, ("test", id(built)), build)
    assert (first is again) == db.fast_path and len(built) == (1 if db.fast_path else 2)


async def test_items_come_with_their_prices_in_one_statement(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    sub = await subscription(client)
    scope, sid = Scope(keys.account_id, False), sub["id"]
    price = sub["items"]["data"][0]["price"]["id"]
    async with db.uow(write=False) as uow:
        with counted(db) as seen:
            items, prices = await uow.subscription_items.with_prices(scope, [sid])
            again = await uow.prices.get(scope, price)  # remembered from the joined read
        assert [i.price_id for i in items[sid]] == [price] and set(prices) == {price}
        assert again is prices[price]
    assert len(seen) == (1 if db.fast_path else 3), seen  # plain: items, prices, and the get again


async def test_a_page_of_subscriptions_reads_two_columns_of_their_customers(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """Subscriptions show only their customer's test clock: a list reads (id, test_clock_id), not
    whole customers; a customer of another account is absent (R2); one read already is not read again."""
    clock, clocked, _ = await clocked_subscriber(client, 1_700_000_000)
    plain = (await customer(client, card=False))["id"]
    foreign = (await customer(other_client, card=False))["id"]
    scope = Scope(keys.account_id, False)
    async with db.uow(write=False) as uow:
        with counted(db) as seen:
            clocks = await uow.customers.test_clocks(scope, [clocked["id"], plain, foreign, "cus_missing"])
        assert clocks == {clocked["id"]: clock["id"], plain: None}
        assert len(seen) == 1 and seen[0].lstrip().upper().startswith("SELECT CUSTOMERS.ID, CUSTOMERS.TEST_CLOCK_ID")
        kept = await uow.customers.get(scope, plain)
        with counted(db) as seen:
            one = await uow.customers.test_clocks(scope, [plain])  # one: whole, kept, as `get` does
            two = await uow.customers.test_clocks(scope, [plain, clocked["id"]])
        assert one == {plain: None} and two == {plain: None, clocked["id"]: clock["id"]}
        assert kept is not None and len(seen) == (1 if db.fast_path else 2), seen  # plain: each reads


async def test_a_first_page_built_once_pages_and_filters_as_every_list_does(
    client: httpx.AsyncClient, db: Database
) -> None:
    """The first page of an unfiltered list (and of a status or paused filter) is one statement
    built once a process (`page(shape=...)`): whatever the limit, and whichever call built it,
    it answers what the plain statement answers; a filtered list never gets that statement."""
    made = [(await customer(client, card=False, email=f"p{n}@example.com"))["id"] for n in range(3)]
    for limit in (1, 2, 10, 2):
        page = (await client.get("/v1/customers", params={"limit": limit})).json()
        assert [c["id"] for c in page["data"]] == made[::-1][:limit] and page["has_more"] == (limit < 3)
    by_email = (await client.get("/v1/customers", params={"email": "p1@example.com"})).json()["data"]
    assert [c["id"] for c in by_email] == [made[1]]
    after = (await client.get("/v1/customers", params={"limit": 1, "starting_after": made[2]})).json()["data"]
    assert [c["id"] for c in after] == [made[1]]

    kept, gone, paused = [(await subscription(client))["id"] for _ in range(3)]
    assert (await client.delete(f"/v1/subscriptions/{gone}")).status_code == 200
    await post(client, f"/v1/subscriptions/{paused}", **{"pause_collection[behavior]": "void"})

    async def listed(**params: str) -> list[str]:
        return [s["id"] for s in (await client.get("/v1/subscriptions", params=params)).json()["data"]]

    assert await listed() == [paused, kept]
    assert await listed(status="canceled") == [gone]
    assert await listed(status="all") == [paused, gone, kept]
    assert await listed(collection_paused="true") == [paused]
    assert await listed(collection_paused="false") == [kept]
    assert await listed(limit="1") == [paused]
    assert await listed(customer=(await customer(client, card=False))["id"]) == []


def _counter_reads(statements: list[str]) -> int:
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT COUNTERS."))


async def test_a_customer_list_reads_its_invoice_number_counters_in_its_own_statement(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """`next_invoice_sequence` on a list comes from the counters joined to the page (the fast
    path): the derived prefix, a chosen one two customers share, a counter never taken, on the
    first page and on later ones; a customer made before its prefix was stored (NULL) has its
    counter read apart; a counter taken in the unit of work is read again, not handed out; one read
    is not read again."""
    plain = (await customer(client, card=False))["id"]
    derived = (await customer(client, card=False, next_invoice_sequence=7))["id"]
    shared = (await customer(client, card=False, invoice_prefix="SHARED", next_invoice_sequence=5))["id"]
    also = (await customer(client, card=False, invoice_prefix="SHARED"))["id"]
    expected = {plain: 1, derived: 7, shared: 5, also: 5}

    async def listed(**params: Any) -> tuple[dict[str, int], int]:
        """Each listed customer's next_invoice_sequence, and how many counter reads it took apart."""
        with counted(db) as seen:
            found = (await client.get("/v1/customers", params=params)).json()["data"]
        return {c["id"]: c["next_invoice_sequence"] for c in found}, _counter_reads(seen)

    joined = 0 if db.fast_path else 1
    assert await listed() == (expected, joined)
    assert await listed(limit=2, starting_after=also) == ({shared: 5, derived: 7}, joined)

    async with db.transaction() as uow:  # as a customer made before the prefix was stored
        await uow.session.execute(update(Customer).where(Customer.id == derived).values(invoice_prefix=None))
    # Its counter is read apart: the right value; on the fast path one counter is read on the
    # driver (app/store/direct.py), which SQLAlchemy's statement events do not see.
    assert await listed() == (expected, joined)

    scope = Scope(keys.account_id, False)
    async with db.transaction() as uow:
        page = await uow.customers.find(scope, Cursor(10))
        name = "invoice_number:SHARED"
        assert await uow.counters.values(scope, [name]) == {name: 4}
        assert await uow.counters.next(scope, name) == 5
        assert await uow.counters.values(scope, [name]) == {name: 5} and len(page.data) == 4  # read again
        never = ["invoice_number:NEVER", "invoice_number:NOTYET"]
        with counted(db) as seen:  # read once, here too; a counter never taken is 0
            assert await uow.counters.values(scope, never) == dict.fromkeys(never, 0)
            assert await uow.counters.values(scope, [*never, name]) == {**dict.fromkeys(never, 0), name: 5}
        assert _counter_reads(seen) == (1 if db.fast_path else 2)


async def test_a_customers_invoices_are_one_statement_whoever_built_it(client: httpx.AsyncClient) -> None:
    """A customer's history is a `Shape` with the customer as a bind parameter: the statement
    another customer's list built answers with this customer's invoices only, on every page."""
    first, second = await subscription(client), await subscription(client)
    a, b = first["customer"], second["customer"]
    draft = await post(client, "/v1/invoices", customer=a)

    async def ids(**params: Any) -> list[str]:
        return [i["id"] for i in (await client.get("/v1/invoices", params=params)).json()["data"]]

    assert await ids(customer=b) == [second["latest_invoice"]]
    assert await ids(customer=a) == [draft["id"], first["latest_invoice"]]
    assert await ids(customer=a, limit=1) == [draft["id"]]
    assert await ids(customer=a, limit=1, starting_after=draft["id"]) == [first["latest_invoice"]]
    assert await ids(customer=a, status="draft") == [draft["id"]]
    assert await ids(customer="cus_nobody") == []


async def test_one_counter_is_read_on_the_driver_in_the_transaction_without_a_flush(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """One customer shown reads its counter alone (app/store/direct.py on the fast path): the
    value this transaction took, 0 for one never taken, and nothing pending is flushed for it."""
    scope = Scope(keys.account_id, False)
    cus = (await customer(client, card=False, invoice_prefix="ONE", next_invoice_sequence=3))["id"]
    async with db.transaction() as uow:
        pending = Customer(id="cus_pendingone", account_id=scope.account_id, livemode=False, created=1, deleted=False)
        uow.customers.add(pending)
        assert await uow.counters.values(scope, ["invoice_number:ONE"]) == {"invoice_number:ONE": 2}
        assert await uow.counters.values(scope, ["invoice_number:NONE"]) == {"invoice_number:NONE": 0}
        assert (pending in uow.session.new) == db.fast_path  # plain: the ORM's query flushed it
        assert await uow.counters.next(scope, "invoice_number:ONE") == 3
        assert await uow.counters.values(scope, ["invoice_number:ONE"]) == {"invoice_number:ONE": 3}
    assert (await client.get(f"/v1/customers/{cus}")).json()["next_invoice_sequence"] == 4


def _selects(statements: list[str]) -> int:
    """The reads of a use case (the API key's is the boundary's, cached for a while in service)."""
    return sum(1 for s in statements if s.lstrip().upper().startswith("SELECT") and "FROM api_keys" not in s)


async def test_a_page_of_subscriptions_is_one_statement_with_items_prices_and_test_clocks(
    client: httpx.AsyncClient, db: Database
) -> None:
    """A list page is the page as a subquery with each subscription's items, their prices and
    its customer's test clock joined (`around_page`): one statement, the same answer as the
    plain path's four (page, items, prices, clocks), on the first page and on the next ones."""
    clock, clocked, on_clock = await clocked_subscriber(client, 1_700_000_000)
    two_items = await subscription(client)
    extra = await price(client, amount=700)
    await post(client, "/v1/subscription_items", subscription=two_items["id"], price=extra["id"])
    plain = await subscription(client)
    pages = [
        ({}, [plain, two_items, on_clock]),
        ({"limit": "2", "starting_after": plain["id"]}, [two_items, on_clock]),
        ({"limit": "2", "ending_before": on_clock["id"]}, [plain, two_items]),
    ]
    for params, expected in pages:
        with counted(db) as seen:
            page = (await client.get("/v1/subscriptions", params=params)).json()["data"]
        anchor = 1 if params else 0  # where the page starts: the row `starting_after` names
        assert _selects(seen) == anchor + (1 if db.fast_path else 4), seen
        shown = {s["id"]: s for s in page}
        assert list(shown) == [s["id"] for s in expected]
        assert [i["price"]["unit_amount"] for i in shown[two_items["id"]]["items"]["data"]] == [1000, 700]
        if on_clock["id"] in shown:
            assert shown[on_clock["id"]]["test_clock"] == clock["id"]
            assert shown[on_clock["id"]]["customer"] == clocked["id"]
    assert (await client.get("/v1/subscriptions", params={"limit": 1})).json()["data"][0]["test_clock"] is None


async def test_a_subscription_with_its_latest_invoice_is_two_statements(
    client: httpx.AsyncClient, db: Database
) -> None:
    """One subscription is read with its items, prices and test clock; an invoice with its
    customer (what it shows of them): expanding `latest_invoice` costs one statement more."""
    buyer = await customer(client, email="buyer@example.com", name="Ada Buyer")
    sub = await subscription(client, customer_id=buyer["id"])
    with counted(db) as seen:
        r = await client.get(f"/v1/subscriptions/{sub['id']}", params={"expand[]": "latest_invoice"})
    body = r.json()
    assert _selects(seen) == (2 if db.fast_path else 6), seen
    assert body["test_clock"] is None and body["items"]["data"][0]["price"]["unit_amount"] == 1000
    invoice = body["latest_invoice"]
    assert (invoice["customer_email"], invoice["customer_name"]) == ("buyer@example.com", "Ada Buyer")
    assert body["latest_invoice"]["id"] == sub["latest_invoice"]
