"""`portal listen --forward-to URL`: like `stripe listen`, forwards the account's new events to a
local URL, signed with a secret printed at start, so merchants can develop their webhook handlers.

It is a client of the API (it polls GET /v1/events with the account's key); it needs no database.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import secrets
import time
from typing import Any

import httpx

from app.events.signing import signature


async def listen(
    api_base: str,
    api_key: str,
    forward_to: str,
    *,
    events: list[str] | None = None,
    interval: float = 1.0,
    stop: asyncio.Event | None = None,
    secret: str | None = None,
    out: Any = None,
) -> None:
    secret = secret or f"whsec_{secrets.token_urlsafe(32)}"
    say = out or print
    say(f"Ready! Your webhook signing secret is {secret}")
    stop = stop or asyncio.Event()
    async with (
        httpx.AsyncClient(base_url=api_base, auth=(api_key, ""), timeout=30) as api,
        httpx.AsyncClient(timeout=10) as target,
    ):
        newest = (await api.get("/v1/events", params={"limit": 1})).json()["data"]
        cursor = newest[0]["id"] if newest else None
        while not stop.is_set():
            params: dict[str, Any] = {"limit": 100}
            if cursor:
                params["ending_before"] = cursor
            page = (await api.get("/v1/events", params=params)).json()["data"]
            for event in reversed(page):  # oldest first
                cursor = event["id"]
                if events and event["type"] not in events:
                    continue
                payload = json.dumps(event, separators=(",", ":")).encode()
                headers = {
                    "Content-Type": "application/json",
                    "Stripe-Signature": signature(secret, payload, int(time.time())),
                }
                try:
                    response = await target.post(forward_to, content=payload, headers=headers)
                    say(f"--> {event['type']} [{event['id']}]  <-- [{response.status_code}]")
                except httpx.HTTPError as exc:
                    say(f"--> {event['type']} [{event['id']}]  failed: {exc}")
            if not page:
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(stop.wait(), timeout=interval)
