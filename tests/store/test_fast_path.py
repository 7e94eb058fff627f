"""The store's fast path (app/store/fast_path.py): a row read by id once in a unit of work is not
read again, and hands out only what a query would have: never a deleted, detached or expired
instance, never a miss, and a locking read still reads (and refreshes) the row. The same checks
with the switch off show the plain path reads every time."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

import httpx
from sqlalchemy import event, update

from app.scope import Scope
from app.store.database import Database
from app.store.models import Customer
from tests.conftest import Keys
from tests.factories import customer


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
