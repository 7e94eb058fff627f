"""Counters and throttle keys: the two atomic primitives that concurrent use cases share.

Both are single upserts, so they need no read first: PostgreSQL's `INSERT ... ON CONFLICT DO
UPDATE` takes the row's lock (a concurrent one waits for the first to commit, then sees its
value); on SQLite every write transaction already holds the only writer.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import bindparam, delete, select
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.ext.asyncio import AsyncSession

from app.scope import Scope
from app.store import direct, fast_path
from app.store.models import Counter, ThrottleKey

_ONE_VALUE = direct.Direct(
    select(Counter.value).where(
        Counter.account_id == bindparam("account_id"),
        Counter.livemode == bindparam("livemode"),
        Counter.name == bindparam("name"),
    )
)


class CounterRepository:
    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    def _insert(self, model: type[Any]) -> Any:
        return pg_insert(model) if self.dialect == "postgresql" else sqlite_insert(model)

    async def next(self, scope: Scope, name: str) -> int:
        """The next value of the scope's counter `name` (1 first); held until the transaction ends."""
        fast_path.uncount(self.session, scope, name)
        insert = self._insert(Counter)
        stmt = (
            insert.values(account_id=scope.account_id, livemode=scope.livemode, name=name, value=1)
            .on_conflict_do_update(
                index_elements=[Counter.account_id, Counter.livemode, Counter.name],
                set_={"value": Counter.value + 1},
            )
            .returning(Counter.value)
        )
        return int((await self.session.execute(stmt)).scalar_one())

    async def raise_to(self, scope: Scope, name: str, value: int) -> bool:
        """Set the counter so its next value is `value + 1`, only forward: False (and nothing
        changed) when it is already at or past `value`. One conditional upsert, no read first."""
        fast_path.uncount(self.session, scope, name)
        insert = self._insert(Counter)
        stmt = (
            insert.values(account_id=scope.account_id, livemode=scope.livemode, name=name, value=value)
            .on_conflict_do_update(
                index_elements=[Counter.account_id, Counter.livemode, Counter.name],
                set_={"value": value},
                where=Counter.value < value,
            )
            .returning(Counter.value)
        )
        return (await self.session.execute(stmt)).scalar() is not None

    async def values(self, scope: Scope, names: list[str]) -> dict[str, int]:
        """The current values of the named counters (0: never taken); those read already in
        this unit of work, here or with a page, are not read again (`fast_path.counted`)."""
        known = fast_path.counted(self.session, scope, names)
        names = [n for n in names if n not in known]
        if not names:
            return known
        if len(set(names)) == 1 and fast_path.on(self.session):
            # One customer shown (created, retrieved, updated): on the driver, without the ORM's
            # execution (app/store/direct.py), and without an autoflush: counters are only ever
            # written by the upserts above, run as they are called, never pending in the session.
            found = await direct.rows(
                self.session, _ONE_VALUE, account_id=scope.account_id, livemode=scope.livemode, name=names[0]
            )
            one = {names[0]: int(found[0][0]) if found else 0}
            fast_path.count(self.session, scope, one)
            return known | one
        stmt = fast_path.prepared(
            self.session,
            (Counter, "values"),
            lambda: select(Counter.name, Counter.value).where(
                Counter.account_id == bindparam("account_id"),
                Counter.livemode == bindparam("livemode"),
                Counter.name.in_(bindparam("names", expanding=True)),
            ),
        )
        values = {"account_id": scope.account_id, "livemode": scope.livemode, "names": sorted(set(names))}
        read = {name: 0 for name in names} | {
            name: int(value) for name, value in (await self.session.execute(stmt, values)).all()
        }
        fast_path.count(self.session, scope, read)  # a second rendering in this unit of work reads none
        return known | read

    async def forget_throttle_keys(self, *, older_than: int, limit: int = 5000) -> int:
        """Delete up to `limit` throttle rows untouched since `older_than` (their limits' windows
        are long past: a later request simply makes the row again)."""
        stale = select(ThrottleKey.key).where(ThrottleKey.touched < older_than).limit(limit)
        result = await self.session.execute(delete(ThrottleKey).where(ThrottleKey.key.in_(stale)))
        return int(getattr(result, "rowcount", 0) or 0)

    async def hold(self, keys: list[str], *, now: int) -> None:
        """Lock the throttle rows of `keys` for this transaction, creating them as needed. Keys are
        taken in sorted order, so two requests holding overlapping keys cannot deadlock."""
        for key in sorted(set(keys)):
            insert = self._insert(ThrottleKey)
            stmt = insert.values(key=key, touched=now).on_conflict_do_update(
                index_elements=[ThrottleKey.key], set_={"touched": insert.excluded.touched}
            )
            await self.session.execute(stmt)
