"""The statements that must find one row among many use the index made for it, on both databases.

R10's partial unique index (`WHERE is_default`) is also how the default configuration is found
(every session created without `configuration`, every configuration created): SQLite's planner
uses a partial index only for a term that is the index's WHERE as written, so `is_default = 1`
scanned every configuration of the account."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import event, text

from app.scope import Scope
from app.store.database import Database
from tests.conftest import Keys

DEFAULT_INDEX = "uq_portal_configurations_one_default"


@pytest.mark.parametrize("read", ["default", "has_default"])
async def test_the_default_configuration_is_found_through_r10s_partial_index(
    db: Database, keys: Keys, read: str
) -> None:
    scope = Scope(keys.account_id, False)
    sent: list[tuple[str, Any]] = []

    def note(_conn: object, _cursor: object, statement: str, parameters: Any, *_: object) -> None:
        sent.append((statement, parameters))

    engine = db.writer.sync_engine
    event.listen(engine, "before_cursor_execute", note)
    try:
        async with db.transaction() as uow:
            await getattr(uow.configurations, read)(scope)
            ((statement, parameters),) = [s for s in sent if "FROM portal_configurations" in s[0]]
            conn = await uow.session.connection()
            if db.is_sqlite:
                plan = (await conn.exec_driver_sql(f"EXPLAIN QUERY PLAN {statement}", parameters)).all()
            else:
                await conn.execute(text("SET LOCAL enable_seqscan = off"))  # a few rows: a scan is cheaper
                plan = (await conn.exec_driver_sql(f"EXPLAIN {statement}", parameters)).all()
    finally:
        event.remove(engine, "before_cursor_execute", note)
    assert DEFAULT_INDEX in " ".join(str(part) for row in plan for part in row), plan
