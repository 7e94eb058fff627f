"""R16: subscriptions (e.g. those with paused collection) as CSV, streamed in keyset batches so
memory stays flat however many rows there are.
"""

from __future__ import annotations

import asyncio
import csv
import io
from collections.abc import AsyncIterator
from datetime import UTC, datetime
from typing import Any

from app.context import Ctx
from app.params.subscriptions import SubscriptionExportParams
from app.services.subscriptions import list_filters
from app.store.uow import UnitOfWork

COLUMNS = (
    "id",
    "customer",
    "customer_email",
    "status",
    "collection_paused",
    "pause_behavior",
    "pause_resumes_at",
    "collection_method",
    "cancel_at_period_end",
    "currency",
    "created",
    "livemode",
)


def _iso(ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%dT%H:%M:%SZ")


# A spreadsheet opening the file runs a cell that starts with one of these as a formula (OWASP's
# "CSV injection"): such cells get a leading apostrophe, which shows the text as it is.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def cell(value: str) -> str:
    """Customer-set text as a cell no spreadsheet runs."""
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def _row(sub: Any) -> list[Any]:
    pause = sub.pause_collection or {}
    return [
        sub.id,
        sub.customer_id,
        cell(sub.email or ""),
        sub.status,
        "true" if sub.collection_paused else "false",
        pause.get("behavior", ""),
        _iso(pause.get("resumes_at")),
        sub.collection_method,
        "true" if sub.cancel_at_period_end else "false",
        sub.currency,
        _iso(sub.created),
        "true" if sub.livemode else "false",
    ]


async def csv_chunks(uow: UnitOfWork, ctx: Ctx, params: SubscriptionExportParams) -> AsyncIterator[str]:
    """The header with the first batch, then one chunk of CSV per batch of subscriptions (oldest
    first). The first query runs before anything is yielded, so its failure is a clean error."""
    batches = uow.subscriptions.stream(ctx.scope, uow.long_reads, **list_filters(params))
    header = _csv([COLUMNS])
    first = True
    async for batch in batches:
        # Formatting a batch is CPU work too: off the event loop, beside the query's.
        chunk = await asyncio.to_thread(_batch_csv, batch)
        yield header + chunk if first else chunk
        first = False
    if first:
        yield header  # no rows at all: the header alone


def _batch_csv(batch: list[Any]) -> str:
    return _csv([_row(sub) for sub in batch])


def _csv(rows: list[Any]) -> str:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\n").writerows(rows)
    return buffer.getvalue()
