"""uvicorn's h11 protocol with a deadline for each request's head.

uvicorn (0.54) times out only idle keep-alive connections, and any byte received cancels that
timer: a client sending a header line every few seconds (slowloris) holds its connection, and
its buffered head, forever; 300 of them took the server from 130 to 424 MiB. Here every request
head (request line and headers) must arrive complete within `HEADER_TIMEOUT_SECONDS` of the
connection opening, or of the previous response ending; the head's size is capped by h11
(`h11_max_incomplete_event_size`, set from `MAX_HEADER_BYTES`). A response sent before its
request's body was read closes the connection, so the rest of that body is never read.

This subclasses uvicorn's H11Protocol (a public module, but its methods are not a documented
API): tests/test_server.py checks against a real server that a slow head is cut off and that
ordinary and keep-alive requests still work, so an uvicorn upgrade that changes them fails there.
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

import h11
from uvicorn.protocols.http.h11_impl import H11Protocol

HEADER_TIMEOUT_SECONDS = 10.0


class DeadlineH11Protocol(H11Protocol):
    def __init__(self, config: Any, *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        # app/http/server.py's Config carries it (a class made per setting could not be pickled
        # to the worker processes).
        self.header_timeout = float(getattr(config, "header_timeout", HEADER_TIMEOUT_SECONDS))
        self.max_head = int(config.h11_max_incomplete_event_size)
        self._head_deadline: asyncio.TimerHandle | None = None

    def connection_made(self, transport: asyncio.Transport) -> None:  # type: ignore[override]
        super().connection_made(transport)
        self._arm()

    def handle_events(self) -> None:
        super().handle_events()
        if self.conn.their_state is not h11.IDLE:
            self._disarm()  # the head is in: the app (and its body limits) take over

    def on_response_complete(self) -> None:
        if self.conn.their_state is h11.SEND_BODY and not self.transport.is_closing():
            # Answered before the body was read (refused, or too large): reading the rest only
            # to discard it would let a client stream any amount at us. Hang up instead.
            self.transport.close()
            return
        super().on_response_complete()
        if not self.transport.is_closing() and self.conn.their_state is h11.IDLE:
            self._arm()

    def connection_lost(self, exc: Exception | None) -> None:
        self._disarm()
        super().connection_lost(exc)

    def send_400_response(self, msg: str) -> None:
        """A request h11 could not take (malformed, or a head past MAX_HEADER_BYTES): Stripe's JSON
        error instead of uvicorn's bare text, so every answer of the API has its documented shape."""
        body = json.dumps(
            {
                "error": {
                    "type": "invalid_request_error",
                    "code": "request_invalid",
                    "message": f"{msg} A request's line and headers may be at most {self.max_head} bytes.",
                }
            }
        ).encode()
        headers = [
            (b"content-type", b"application/json"),
            (b"content-length", str(len(body)).encode()),
            (b"connection", b"close"),
        ]
        for event in (h11.Response(status_code=400, headers=headers), h11.Data(data=body), h11.EndOfMessage()):
            self.transport.write(self.conn.send(event) or b"")
        self.transport.close()

    def _arm(self) -> None:
        self._disarm()
        self._head_deadline = self.loop.call_later(self.header_timeout, self._head_too_slow)

    def _disarm(self) -> None:
        if self._head_deadline is not None:
            self._head_deadline.cancel()
            self._head_deadline = None

    def _head_too_slow(self) -> None:
        self._head_deadline = None
        if self.conn.their_state is h11.IDLE and not self.transport.is_closing():
            self.transport.close()
