"""The merchant's logo in the invoice PDF: fetched from its URL by a real HTTP server here, as a
webhook delivery connects (checked address, no redirects), bounded in size and time."""

from __future__ import annotations

import asyncio
import io
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import pytest
from PIL import Image
from pypdf import PdfReader

from app.events.addresses import Resolver
from app.portal import logos
from app.portal.logos import Logos
from tests.factories import customer, post, subscription


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (120, 40), (20, 60, 120)).save(out, format="PNG")
    return out.getvalue()


class Site:
    def __init__(self) -> None:
        self.files: dict[str, tuple[int, str, bytes]] = {}
        self.hits: list[str] = []
        site = self

        class Handler(BaseHTTPRequestHandler):
            def do_GET(self) -> None:
                site.hits.append(self.path)
                status, kind, body = site.files.get(self.path, (404, "text/plain", b"missing"))
                self.send_response(status)
                self.send_header("Content-Type", kind)
                if status == 302:
                    self.send_header("Location", "/logo.png")
                self.send_header("Content-Length", str(len(body)))
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args: Any) -> None:
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"


@pytest.fixture
def site() -> Iterator[Site]:
    s = Site()
    thread = threading.Thread(target=s.server.serve_forever, daemon=True)
    thread.start()
    yield s
    s.server.shutdown()
    s.server.server_close()


def _images(content: bytes) -> int:
    return sum(len(page.images) for page in PdfReader(io.BytesIO(content)).pages)


async def _pdf(client: httpx.AsyncClient, logo: str) -> bytes:
    await post(client, "/v1/account", **{"settings[branding][logo]": logo, "business_profile[name]": "Logo Shop"})
    sub = await subscription(client, customer_id=(await customer(client))["id"])
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    r = await client.get(invoice["invoice_pdf"].replace("http://portal.test", ""))
    assert r.status_code == 200
    return r.content


async def test_the_logo_is_in_the_pdf(client: httpx.AsyncClient, site: Site) -> None:
    site.files["/logo.png"] = (200, "image/png", _png())
    assert _images(await _pdf(client, f"{site.url}/logo.png")) == 1
    assert site.hits == ["/logo.png"]


async def test_what_is_not_an_image_is_left_out_and_the_pdf_still_comes(client: httpx.AsyncClient, site: Site) -> None:
    site.files["/page.html"] = (200, "text/html", b"<html>not a logo</html>")
    assert _images(await _pdf(client, f"{site.url}/page.html")) == 0


async def test_a_redirect_is_not_followed(site: Site) -> None:
    site.files["/moved"] = (302, "text/plain", b"")
    site.files["/logo.png"] = (200, "image/png", _png())
    assert await Logos(Resolver()).get(f"{site.url}/moved", livemode=False) is None
    assert site.hits == ["/moved"]


async def test_live_mode_never_fetches_from_a_private_address(site: Site) -> None:
    site.files["/logo.png"] = (200, "image/png", _png())
    assert await Logos(Resolver()).get(f"{site.url}/logo.png", livemode=True) is None
    assert site.hits == []  # refused before connecting
    assert await Logos(Resolver()).get(f"{site.url}/logo.png", livemode=False) is not None  # test mode: local


async def test_a_logo_too_large_is_left_out_and_the_answer_is_kept(site: Site, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logos, "MAX_BYTES", 1000)
    site.files["/big.png"] = (200, "image/png", _png() + b"\0" * 2000)
    kept = Logos(Resolver())
    assert await kept.get(f"{site.url}/big.png", livemode=False) is None
    assert await kept.get(f"{site.url}/big.png", livemode=False) is None
    assert site.hits == ["/big.png"]  # the failure is kept too: one fetch, not one per PDF


async def test_a_logo_host_that_never_answers_costs_the_limit_once(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(logos, "FETCH_SECONDS", 0.3)
    connections: list[int] = []

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        connections.append(1)
        await asyncio.sleep(5)
        writer.close()

    server = await asyncio.start_server(silent, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    async with server:
        kept = Logos(Resolver())
        assert await kept.get(f"http://127.0.0.1:{port}/logo.png", livemode=False) is None  # after 0.3 s
        assert await kept.get(f"http://127.0.0.1:{port}/logo.png", livemode=False) is None
        assert connections == [1]  # the second PDF did not wait for it again
