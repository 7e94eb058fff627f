"""Request-Id on every response and one structured log line per request (never a key or card)."""

from __future__ import annotations

import json
import logging
import time
from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.errors import InvalidRequest
from app.http.wire.errors import error_response
from app.http.wire.form import NUL_MESSAGE
from app.ids import random_base62

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
