"""OpenAPI for routes that parse their own parameters: form-encoded bodies, deepObject queries,
Stripe's error envelope. `make openapi` writes the result to openapi/openapi.json.
"""

from __future__ import annotations

from typing import Any, Generic, Literal, TypeVar

from fastapi import FastAPI, Response
from pydantic import BaseModel

from app.params.base import Params
from app.services.portal.views import Overview

T = TypeVar("T")

_DEFS: dict[str, Any] = {}
REF = "#/components/schemas/{model}"


class ErrorDetail(BaseModel):
    type: Literal["api_error", "card_error", "idempotency_error", "invalid_request_error"]
    code: str | None = None
    message: str
    param: str | None = None
    doc_url: str | None = None


class ErrorResponse(BaseModel):
    error: ErrorDetail


class PortalOverview(Overview):
    """What GET /p/api/overview answers (and every change, with the state after it)."""

    csrf_token: str


# Every documented route answers errors in Stripe's envelope.
ERRORS: dict[int | str, dict[str, Any]] = {
    "4XX": {"model": ErrorResponse, "description": "Stripe-shaped error."},
    "5XX": {"model": ErrorResponse, "description": "Stripe-shaped error."},
}


class ListObject(BaseModel, Generic[T]):
    object: Literal["list"]
    data: list[T]
    has_more: bool
    url: str


def schema_of(model: type[BaseModel]) -> dict[str, Any]:
    """The model's JSON schema, its definitions moved to components (see install)."""
    schema = model.model_json_schema(ref_template=REF)
    _DEFS.update(schema.pop("$defs", {}))
    return schema


def _query_parameters(model: type[Params]) -> list[dict[str, Any]]:
    schema = schema_of(model)
    params = []
    for name, prop in schema.get("properties", {}).items():
        nested = "$ref" in str(prop) or prop.get("type") in ("object", "array") or "anyOf" in prop
        entry: dict[str, Any] = {"name": name, "in": "query", "required": False, "schema": prop}
        if nested:
            entry.update(style="deepObject", explode=True)
        params.append(entry)
    return params


def documented(obj: type[BaseModel], params: type[Params], *, is_list: bool = False) -> dict[str, Any]:
    """Route decorator arguments describing a Stripe-style endpoint for OpenAPI."""
    response = ListObject[obj] if is_list else obj  # type: ignore[valid-type]
    extra: dict[str, Any]
    if is_list or params.__name__.endswith(("RetrieveParams", "ListParams")):
        extra = {"parameters": _query_parameters(params)}
    else:
        extra = {
            "requestBody": {
                "required": False,
                "content": {"application/x-www-form-urlencoded": {"schema": schema_of(params)}},
            }
        }
    return {
        "response_model": None,
        "responses": {
            200: {"model": response, "description": "Successful response."},
            **ERRORS,
        },
        "openapi_extra": extra,
    }


def documented_csv(params: type[Params]) -> dict[str, Any]:
    """Route decorator arguments for a CSV download filtered by query parameters."""
    return {
        "response_class": Response,
        "responses": {
            200: {"content": {"text/csv": {"schema": {"type": "string"}}}, "description": "CSV, streamed."},
            **ERRORS,
        },
        "openapi_extra": {"parameters": _query_parameters(params)},
    }


def install(app: FastAPI) -> None:
    """Merge the parameter schemas' definitions into components, once."""
    build = app.openapi

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = build()
            schema.setdefault("components", {}).setdefault("schemas", {})
            for name, definition in _DEFS.items():
                schema["components"]["schemas"].setdefault(name, definition)
            schema["components"]["securitySchemes"] = {
                "bearerAuth": {"type": "http", "scheme": "bearer"},
                "basicAuth": {"type": "http", "scheme": "basic"},
                # The customer portal API (/p/api): the visit cookie a session URL sets, and for
                # changes the visit's CSRF token (GET /p/api/overview returns it).
                "portalVisit": {"type": "apiKey", "in": "cookie", "name": "portal_visit"},
                "csrfToken": {"type": "apiKey", "in": "header", "name": "X-CSRF-Token"},
            }
            schema["security"] = [{"bearerAuth": []}, {"basicAuth": []}]
            app.openapi_schema = schema
        return app.openapi_schema

    app.openapi = openapi  # type: ignore[method-assign]
