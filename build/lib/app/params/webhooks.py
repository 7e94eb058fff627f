"""Parameters of /v1/webhook_endpoints."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StringConstraints

from app.params.base import Bool, Emptyable, ExpandParams, ListParams, Metadata, Str

EventType = Annotated[str, StringConstraints(pattern=r"^(\*|[a-z_]+(\.[a-z_]+)+(\.\*)?)$", max_length=128)]


class WebhookEndpointCreateParams(ExpandParams):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)]
    enabled_events: list[EventType] = Field(min_length=1, max_length=200)
    description: Emptyable[Str] | None = None
    api_version: Str | None = None
    metadata: Emptyable[Metadata] | None = None
    connect: Bool | None = None


class WebhookEndpointUpdateParams(ExpandParams):
    url: Annotated[str, StringConstraints(min_length=1, max_length=2048)] | None = None
    enabled_events: list[EventType] | None = Field(None, min_length=1, max_length=200)
    description: Emptyable[Str] | None = None
    disabled: Bool | None = None
    metadata: Emptyable[Metadata] | None = None


class WebhookEndpointListParams(ListParams):
    pass


class DeliveryListParams(ListParams):
    pass
