"""Request-Id on every response and one structured log line per request (never a key or card)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import InvalidRequest
from app.http.wire.errors import error_response
from app.http.wire.form import too_large
from app.ids import random_base62
from app.params.parsing import NUL_MESSAGE

log = logging.getLogger("portal.access")


class RequestLog:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        request_id = f"req_{random_base62(14)}"
        state: dict[str, Any] = scope.setdefault("state", {})
        state["request_id"] = request_id
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message["headers"] = [*message.get("headers", []), (b"request-id", request_id.encode())]
            await send(message)

        try:
            if "\x00" in scope["path"]:
                # An id with a NUL in the URL would reach the database (PostgreSQL refuses such text).
                refusal = error_response(InvalidRequest(NUL_MESSAGE, code="parameter_invalid_string"))
                await refusal(scope, receive, send_with_id)
                return
            await self.app(scope, receive, send_with_id)
        finally:
            if log.isEnabledFor(logging.INFO):
                headers = dict(scope.get("headers", []))
                line = {
                    "method": scope["method"],
                    "path": scope["path"],
                    "status": status,
                    "duration_ms": round((time.perf_counter() - started) * 1000, 2),
                    "request_id": request_id,
                    "account": state.get("account_id"),
                    "livemode": state.get("livemode"),
                    "stripe_version": headers.get(b"stripe-version", b"").decode("latin-1") or None,
                }
                log.info(json.dumps(line))


class InputLimits:
    """No request head or body is held past its limit, whichever route reads it (the API, the
    portal's JSON API and forms, the dashboard).

    - A head (request line and headers) over `header_limit` is answered 400. (h11 refuses a head
      that arrives in pieces past the same size before it reaches the app, with the same JSON
      error from app/http/protocol.py; this catches one that arrived in a single read.)
    - A declared Content-Length over `body_limit` is answered 413 before anything is read; a body
      that turns out larger (chunked, or lying about its length) stops being read at the limit,
      with the same 413. Either answer closes the connection, so the rest is never read.
    """

    def __init__(self, app: ASGIApp, *, body_limit: int, header_limit: int) -> None:
        self.app = app
        self.body_limit = body_limit
        self.header_limit = header_limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        headers = scope.get("headers", [])
        head = len(scope.get("raw_path") or b"") + len(scope.get("query_string") or b"")
        head += sum(len(name) + len(value) + 4 for name, value in headers)
        if head > self.header_limit:
            refusal = InvalidRequest(
                f"A request's line and headers may be at most {self.header_limit} bytes.", code="request_invalid"
            )
            await error_response(refusal, {"Connection": "close"})(scope, receive, send)
            return
        for name, value in headers:
            if name == b"content-length" and value.isdigit() and int(value) > self.body_limit:
                await error_response(too_large(self.body_limit), {"Connection": "close"})(scope, receive, send)
                return
        seen = 0
        exceeded = False

        async def counted() -> Message:
            nonlocal seen, exceeded
            message = await receive()
            if message["type"] == "http.request":
                seen += len(message.get("body", b""))
                if seen > self.body_limit:
                    exceeded = True
                    raise too_large(self.body_limit)
            return message

        async def closing(message: Message) -> None:
            if exceeded and message["type"] == "http.response.start":
                message["headers"] = [*message.get("headers", []), (b"connection", b"close")]
            await send(message)

        await self.app(scope, counted, closing)
