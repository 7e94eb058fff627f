"""A real HTTP receiver on loopback (uvicorn in a thread) that records the webhooks it gets and
can be told to fail or to be slow."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Generator
from dataclasses import dataclass, field
from typing import Any

import uvicorn

from tests.conftest import free_port


@dataclass
class Received:
    body: bytes
    signature: str
    started: float
    ended: float


@dataclass
class Receiver:
    port: int
    received: list[Received] = field(default_factory=list)
    status: int = 200
    delay: float = 0.0
    lock: threading.Lock = field(default_factory=threading.Lock)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/webhooks"

    async def __call__(self, scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        started = time.monotonic()
        body = b""
        while True:
            message = await receive()
            if message["type"] == "http.disconnect":
                return  # the sender died mid-request (a killed worker): nothing was delivered
            body += message.get("body", b"")
            if not message.get("more_body"):
                break
        if self.delay:
            await asyncio.sleep(self.delay)
        status = self.status
        # A delivery counts once the receiver has it and answers 2xx, as for a real endpoint.
        if 200 <= status < 300:
            headers = dict(scope["headers"])
            with self.lock:
                self.received.append(
                    Received(body, headers.get(b"stripe-signature", b"").decode(), started, time.monotonic())
                )
        await send({"type": "http.response.start", "status": status, "headers": [(b"content-length", b"2")]})
        await send({"type": "http.response.body", "body": b"ok"})

    def wait_for(self, count: int, timeout: float = 30) -> list[Received]:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self.lock:
                if len(self.received) >= count:
                    return list(self.received)
            time.sleep(0.02)
        raise AssertionError(f"{len(self.received)} of {count} webhooks arrived within {timeout}s")


def serve_receiver() -> Generator[Receiver, None, None]:
    receiver = Receiver(free_port())
    server = uvicorn.Server(
        uvicorn.Config(receiver, host="127.0.0.1", port=receiver.port, log_level="warning", access_log=False)
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 10
    while not server.started and time.monotonic() < deadline:
        time.sleep(0.01)
    try:
        yield receiver
    finally:
        server.should_exit = True
        thread.join(timeout=10)
