"""The one place errors become Stripe's envelope: {"error": {type, code, message, param, doc_url}}."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Iterator
from typing import Any

from fastapi import APIRouter, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from starlette.exceptions import HTTPException
from starlette.routing import Route

from app.errors import ApiError, StripeError

log = logging.getLogger("portal.errors")


def error_body(err: StripeError) -> dict[str, Any]:
    body: dict[str, Any] = {"type": err.type, "message": err.message}
    if err.code:
        body["code"] = err.code
        body["doc_url"] = f"https://stripe.com/docs/error-codes/{err.code.replace('_', '-')}"
    if err.param:
        body["param"] = err.param
    decline_code = getattr(err, "decline_code", None)
    if decline_code:
        body["decline_code"] = decline_code
    return {"error": body}


def error_response(err: StripeError, extra_headers: dict[str, str] | None = None) -> JSONResponse:
    headers = dict(extra_headers or {})
    if err.status == 409 or err.status >= 500:
        headers["Stripe-Should-Retry"] = "true" if err.should_retry else "false"
    return JSONResponse(error_body(err), status_code=err.status, headers=headers)


def _flat(routes: Iterable[Any]) -> Iterator[Route]:
    for route in routes:
        nested = getattr(route, "original_router", None) or (route if isinstance(route, APIRouter) else None)
        if nested is not None:
            yield from _flat(nested.routes)
        elif isinstance(route, Route) and route.methods:
            yield route


def _methods_for(routes: Iterable[Any], path: str) -> set[str]:
    """The methods of the resource the path names: the first matching path template, as routing
    picks it (`/v1/subscriptions/export.csv` is not `/v1/subscriptions/{subscription}`)."""
    flat = list(_flat(routes))
    template = next((r.path for r in flat if r.path_regex.match(path)), None)
    return {m for r in flat if r.path == template for m in (r.methods or ())}


def install(app: FastAPI) -> None:
    async def on_stripe_error(_request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, StripeError)
        return error_response(exc)

    async def on_http_error(request: Request, exc: Exception) -> JSONResponse:
        assert isinstance(exc, HTTPException)
        if exc.status_code == 404:
            message = (
                f"Unrecognized request URL ({request.method}: {request.url.path}). Please see "
                "https://stripe.com/docs or we can help at https://support.stripe.com/."
            )
        elif exc.status_code == 405:
            message = f"Unrecognized request URL ({request.method}: {request.url.path}): method not allowed."
        else:
            message = str(exc.detail)
        headers = dict(exc.headers or {})
        if exc.status_code == 405:
            # RFC 9110: a 405 lists the methods the resource supports. Starlette names only those of
            # the first route matching the path; GET and POST on one path are two routes here.
            headers["Allow"] = ", ".join(sorted(_methods_for(request.app.routes, request.url.path)))
        return error_response(StripeError(message, status=exc.status_code), headers)

    async def on_validation_error(_request: Request, exc: Exception) -> JSONResponse:
        return error_response(StripeError(f"Invalid request: {exc}", code="parameter_invalid_value"))

    async def on_unexpected(_request: Request, exc: Exception) -> JSONResponse:
        log.exception("unhandled error", exc_info=exc)
        return error_response(ApiError("An unexpected error occurred; it has been logged."))

    app.add_exception_handler(StripeError, on_stripe_error)
    app.add_exception_handler(HTTPException, on_http_error)
    app.add_exception_handler(RequestValidationError, on_validation_error)
    app.add_exception_handler(Exception, on_unexpected)
