"""The merchant's logo for the invoice PDF (`settings.branding.logo`, else `icon`, a URL).

The page shows it with an <img> the customer's browser loads; the PDF has to embed it, so the
server fetches it, as a webhook delivery connects (app/events/addresses.py): the host resolved
once, every address checked against the mode's policy (live mode: public addresses only), the
connection made to the address checked, no redirects. A logo is an image of at most 1 MB (PNG,
JPEG or GIF), fetched within 5 s; what fails is left out of the PDF (logged), never an error.
Answers are kept for 10 minutes, failures too, so a slow logo host costs one wait, not one a PDF.
"""

from __future__ import annotations

import asyncio
import logging
import time
from collections import OrderedDict
from urllib.parse import urlsplit

import httpx

from app.events.addresses import Resolver, Unreachable

log = logging.getLogger("portal.logos")

MAX_BYTES = 1_000_000
FETCH_SECONDS = 5.0
KEEP_SECONDS = 600.0
KEEP_MOST = 256
# What fpdf2 embeds (through Pillow) and a browser shows: the first bytes of each format.
SIGNATURES = (b"\x89PNG\r\n\x1a\n", b"\xff\xd8\xff", b"GIF87a", b"GIF89a")


class Logos:
    def __init__(self, resolver: Resolver, *, keep_seconds: float = KEEP_SECONDS) -> None:
        self.resolver = resolver
        self.keep_seconds = keep_seconds
        self._kept: OrderedDict[tuple[str, bool], tuple[float, bytes | None]] = OrderedDict()

    async def get(self, url: str | None, *, livemode: bool) -> bytes | None:
        if not url:
            return None
        key = (url, livemode)
        kept = self._kept.get(key)
        if kept is not None and kept[0] > time.monotonic():
            return kept[1]
        try:
            async with asyncio.timeout(FETCH_SECONDS):
                image = await self._fetch(url, livemode=livemode)
        except (TimeoutError, Unreachable, httpx.HTTPError, OSError, ValueError) as exc:
            log.warning("the logo %s is left out of the invoice PDF: %s", url[:200], exc)
            image = None
        self._kept[key] = (time.monotonic() + self.keep_seconds, image)
        self._kept.move_to_end(key)
        while len(self._kept) > KEEP_MOST:
            self._kept.popitem(last=False)
        return image

    async def _fetch(self, url: str, *, livemode: bool) -> bytes | None:
        parts = urlsplit(url)
        if parts.scheme not in ("https", "http") or not parts.hostname:
            raise ValueError("not an http(s) URL")
        address = await self.resolver.target(parts.hostname, livemode=livemode)
        target = httpx.URL(url).copy_with(host=address)
        extensions = {"sni_hostname": parts.hostname} if parts.scheme == "https" else {}
        async with httpx.AsyncClient(follow_redirects=False, trust_env=False) as http:
            request = http.build_request(
                "GET", target, headers={"Host": parts.netloc.rpartition("@")[2]}, extensions=extensions
            )
            response = await http.send(request, stream=True)
            try:
                if response.status_code != 200:
                    raise ValueError(f"answered {response.status_code}")
                body = bytearray()
                async for chunk in response.aiter_bytes():
                    body += chunk
                    if len(body) > MAX_BYTES:
                        raise ValueError(f"larger than {MAX_BYTES} bytes")
            finally:
                await response.aclose()
        if not bytes(body).startswith(SIGNATURES):
            raise ValueError("not a PNG, JPEG or GIF image")
        return bytes(body)
