"""Parameters of /v1/events."""

from __future__ import annotations

from pydantic import Field

from app.params.base import ListParams, RangeFilter, Str, Timestamp


class EventListParams(ListParams):
    type: Str | None = Field(None, description="One event type; a trailing `*` matches a prefix.")
    types: list[Str] | None = Field(None, max_length=20, description="Up to 20 event types.")
    created: Timestamp | RangeFilter | None = None
