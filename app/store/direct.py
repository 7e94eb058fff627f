"""Statements compiled once per dialect and run on the DBAPI cursor of the unit of work's connection.

SQLAlchemy prepares every execution anew (execution context, parameter processing, result
metadata, ORM loading): about 150-250 us a statement here, where SQLite or asyncpg need 20-50 us.
For the few statements on the hot path (issue 9: session create, and the append-only INSERTs every
change ends with) that overhead was most of the request. A `Direct` statement is compiled by
SQLAlchemy once per dialect, with its bind and result processors taken from the column types, and
then run as plain SQL in the same transaction (the session's own connection), so it commits and
rolls back with everything else.

What it does not do: autoflush (callers flush first where it matters; the unit of work's commit
does), ORM loading (rows are tuples), or SQLAlchemy's events. Driver errors are translated to
SQLAlchemy's exceptions, as the ordinary path does, so the unit of work maps them the same way.

Not all of it is SQLAlchemy's documented API: the compiled statement's `positiontup`, `binds` and
`params` (the bind order and values), and `DBAPIError.instance` (the translation). A release that
changes them breaks `tests/store/test_direct.py`, which compares every kind of statement run here
with the ORM's own execution (values stored and loaded, transaction, errors), on both databases.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, cast

from sqlalchemy import Connection, exc
from sqlalchemy.engine import Dialect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session
from sqlalchemy.sql import ClauseElement

Processor = Callable[[Any], Any] | None


@dataclass(frozen=True)
class _Plan:
    sql: str
    names: tuple[str, ...]  # bind names in positional order (a name may repeat)
    fixed: dict[str, Any]  # values the statement carries itself (LIMIT 1); the others must be given
    binds: tuple[Processor, ...]
    results: tuple[Processor, ...]
    returns_rows: bool


class Direct:
    """One statement. Bind parameters are named (`bindparam("customer_id")`, or an INSERT's
    column names); values are given as Python values and processed as SQLAlchemy would."""

    def __init__(self, statement: ClauseElement, *, column_keys: Sequence[str] | None = None) -> None:
        self.statement = statement
        self.column_keys = list(column_keys) if column_keys is not None else None
        self._plans: dict[str, _Plan] = {}

    def plan(self, dialect: Dialect) -> _Plan:
        plan = self._plans.get(dialect.name)
        if plan is None:
            plan = self._plans[dialect.name] = self._compile(dialect)
        return plan

    def _compile(self, dialect: Dialect) -> _Plan:
        compiled: Any = self.statement.compile(dialect=dialect, column_keys=self.column_keys)
        if not compiled.positional:
            raise TypeError(f"{dialect.name}: a positional paramstyle is expected, not {dialect.paramstyle}")
        names = tuple(compiled.positiontup)
        binds = compiled.binds  # by the name each bind has in the SQL
        # LIMIT 1 and the like; a column default's bind has no value until SQLAlchemy's execution
        # computes it, so such a column (as every other) must be given.
        fixed = {
            name: value for name, value in compiled.params.items() if not binds[name].required and value is not None
        }
        processors = tuple(_bind_processor(binds[name].type, dialect) for name in names)
        selected = getattr(self.statement, "selected_columns", None)
        results = tuple(_result_processor(column.type, dialect) for column in selected) if selected else ()
        if not any(results):
            results = ()  # rows come back as they are
        return _Plan(compiled.string, names, fixed, processors, results, selected is not None)

    def values(self, plan: _Plan, given: dict[str, Any]) -> tuple[Any, ...]:
        fixed = plan.fixed
        out = []
        for name, process in zip(plan.names, plan.binds, strict=True):
            value = given[name] if name in given else fixed[name]  # KeyError: a value was not given
            out.append(process(value) if process is not None else value)
        return tuple(out)


def _bind_processor(type_: Any, dialect: Dialect) -> Processor:
    processor: Processor = type_.dialect_impl(dialect).bind_processor(dialect)
    return processor


def _result_processor(type_: Any, dialect: Dialect) -> Processor:
    processor: Processor = type_.dialect_impl(dialect).result_processor(dialect, None)
    return processor


async def rows(session: AsyncSession, statement: Direct, **given: Any) -> list[tuple[Any, ...]]:
    """The rows of a SELECT, each a tuple in the statement's column order."""
    result: list[tuple[Any, ...]] = await session.run_sync(run, statement, [given])
    return result


async def execute(session: AsyncSession, statement: Direct, rows: list[dict[str, Any]]) -> None:
    """Run an INSERT/UPDATE/DELETE once per row of values (one round trip for one row)."""
    if rows:
        await session.run_sync(run, statement, rows)


def run(session: Session, statement: Direct, given: list[dict[str, Any]]) -> list[tuple[Any, ...]]:
    """The same inside SQLAlchemy's synchronous layer (`session.run_sync`), to batch several."""
    # The session's connection: this begins the unit of work's transaction if nothing did yet
    # (SQLite's BEGIN IMMEDIATE runs in the engine's begin event, as for every statement).
    connection = session.connection()
    plan = statement.plan(connection.dialect)
    values = [statement.values(plan, row) for row in given]
    # A file SQLite database runs its statements on this thread (app/store/database.py): its
    # sqlite3 cursor directly, without the async adapter's hops in and out of the greenlet.
    inline = getattr(connection.connection.driver_connection, "inline_sqlite3", None)
    cursor = inline.cursor() if inline is not None else connection.connection.cursor()
    try:
        if len(values) == 1:
            cursor.execute(plan.sql, values[0])
        else:
            cursor.executemany(plan.sql, values)
        fetched = cursor.fetchall() if plan.returns_rows else []
    except connection.dialect.loaded_dbapi.Error as error:
        raise _translated(connection, plan, values, error, cursor) from error
    finally:
        cursor.close()
    if not plan.results:
        return [tuple(row) for row in fetched]
    return [
        tuple(
            process(value) if process is not None else value for process, value in zip(plan.results, row, strict=True)
        )
        for row in fetched
    ]


def _translated(connection: Connection, plan: _Plan, values: list[Any], error: Exception, cursor: Any) -> Exception:
    """The SQLAlchemy exception the ordinary path raises for this driver error (IntegrityError,
    DataError, OperationalError...); a lost connection is invalidated so the pool drops it."""
    dialect = connection.dialect
    lost = dialect.is_disconnect(cast(Any, error), connection.connection.dbapi_connection, cursor)
    if lost:
        connection.invalidate(error)
    return exc.DBAPIError.instance(
        plan.sql,
        values[0] if len(values) == 1 else values,
        error,
        dialect.loaded_dbapi.Error,
        connection_invalidated=lost,
        dialect=dialect,
    )
