"""Parameters of the /v1/{resource}/search endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from app.params.base import ExpandParams, Int


class SearchParams(ExpandParams):
    query: Annotated[str, StringConstraints(max_length=5000)] = Field(
        description='Stripe\'s search query language: field:value, ~, >, <, AND/OR, -, metadata["k"].'
    )
    limit: Int = Field(10, ge=1, le=100)
    page: Annotated[str, StringConstraints(max_length=200)] | None = None
