"""Idempotency-Key records.

The claim row is inserted in the use case's own transaction and completed before commit, so a
crash at any moment leaves either nothing (the retry runs afresh) or the object *and* its stored
response (the retry replays it): never an object without its key.
"""

from __future__ import annotations

from sqlalchemy import delete, select, text
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.exc import DBAPIError
from sqlalchemy.ext.asyncio import AsyncSession

from app.scope import Scope
from app.store.models import IdempotencyRecord

# How long a PostgreSQL claim waits behind a concurrent, uncommitted claim of the same key before
# the request is answered 409 idempotency_key_in_use.
_CLAIM_LOCK_TIMEOUT = "200ms"


class KeyBusy(Exception):
    """Another transaction holds an uncommitted claim on the same key."""


class IdempotencyRepository:
    def __init__(self, session: AsyncSession, *, dialect: str) -> None:
        self.session = session
        self.dialect = dialect

    async def claim(
        self, scope: Scope, key: str, *, method: str, path: str, fingerprint: str, now: int
    ) -> IdempotencyRecord | None:
        """Insert a pending claim; return the existing record instead when the key is taken."""
        values = dict(
            account_id=scope.account_id,
            livemode=scope.livemode,
            key=key,
            method=method,
            path=path,
            fingerprint=fingerprint,
            status_code=0,
            body="",
            created=now,
        )
        insert = pg_insert if self.dialect == "postgresql" else sqlite_insert
        stmt = insert(IdempotencyRecord).values(**values).on_conflict_do_nothing().returning(IdempotencyRecord.pk)
        if self.dialect == "postgresql":
            await self.session.execute(text(f"SET LOCAL lock_timeout = '{_CLAIM_LOCK_TIMEOUT}'"))
        try:
            inserted = (await self.session.execute(stmt)).first()
        except DBAPIError as exc:
            if "lock timeout" in str(exc.orig).lower() or "LockNotAvailable" in type(exc.orig).__name__:
                raise KeyBusy from exc
            raise
        if self.dialect == "postgresql":
            await self.session.execute(text("SET LOCAL lock_timeout = DEFAULT"))
        if inserted is not None:
            return None
        return await self.get(scope, key)

    async def get(self, scope: Scope, key: str) -> IdempotencyRecord | None:
        stmt = select(IdempotencyRecord).where(
            IdempotencyRecord.account_id == scope.account_id,
            IdempotencyRecord.livemode == scope.livemode,
            IdempotencyRecord.key == key,
        )
        return (await self.session.execute(stmt)).scalar()

    async def forget(self, scope: Scope, key: str) -> None:
        await self.session.execute(
            delete(IdempotencyRecord).where(
                IdempotencyRecord.account_id == scope.account_id,
                IdempotencyRecord.livemode == scope.livemode,
                IdempotencyRecord.key == key,
            )
        )

    async def complete(self, scope: Scope, key: str, *, status_code: int, body: str) -> None:
        record = await self.get(scope, key)
        assert record is not None, "complete() without a claim in this transaction"
        record.status_code = status_code
        record.body = body

    async def purge(self, *, older_than: int, limit: int = 5000) -> int:
        """Delete up to `limit` records created before `older_than`; how many went (in batches,
        so a large backlog never holds one long transaction)."""
        stale = select(IdempotencyRecord.pk).where(IdempotencyRecord.created < older_than).limit(limit)
        result = await self.session.execute(
            delete(IdempotencyRecord)
            .where(IdempotencyRecord.pk.in_(stale))
            .execution_options(synchronize_session=False)
        )
        return int(getattr(result, "rowcount", 0) or 0)
