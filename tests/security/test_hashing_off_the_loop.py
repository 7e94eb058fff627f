"""Password hashing runs off the event loop, two at a time: a burst of 40 dashboard sign-ins
(every one verified: different emails, within the limits) leaves /healthz answering quickly."""

from __future__ import annotations

import asyncio
import re
import time

import httpx


async def test_a_burst_of_sign_ins_does_not_hold_other_requests(app: object) -> None:
    async def attempt(i: int) -> int:
        transport = httpx.ASGITransport(app=app, client=(f"2001:db8:5::{i % 2 + 1}", 4000))  # type: ignore[arg-type]
        async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as browser:
            page = await browser.get("/dashboard/login")
            token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
            assert token
            data = {"email": f"nobody-{i}@shop.example", "password": "wrong password", "csrf_token": token.group(1)}
            return (await browser.post("/dashboard/login", data=data)).status_code

    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as probe:
        burst = asyncio.gather(*(attempt(i) for i in range(40)))
        worst, samples = 0.0, 0
        await asyncio.sleep(0.05)
        while not burst.done():
            started = time.perf_counter()
            assert (await probe.get("/healthz")).status_code == 200
            worst = max(worst, time.perf_counter() - started)
            samples += 1
            await asyncio.sleep(0.01)
        assert set(await burst) == {401}
    assert samples >= 5 and worst < 0.1, (worst, samples)
