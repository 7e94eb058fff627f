"""Input limits: a request head must arrive whole, soon and small; a body is never held past its
limit, whichever route reads it; JSON nests only so deep."""

from __future__ import annotations

import json
import socket
import time
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest

from tests.conftest import LiveServer, serve
from tests.portal import shop as s


@pytest.fixture(scope="module")
def strict_server(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(database_url, tmp_path_factory.mktemp("limits"), HEADER_TIMEOUT_SECONDS="1")


def _connect(server: LiveServer) -> socket.socket:
    host, port = server.base_url.removeprefix("http://").split(":")
    sock = socket.create_connection((host, int(port)), timeout=10)
    return sock


def _closed_within(sock: socket.socket, seconds: float) -> bool:
    sock.settimeout(seconds)
    try:
        while chunk := sock.recv(65536):
            del chunk
        return True
    except TimeoutError:
        return False
    except ConnectionResetError:
        return True


def test_a_head_that_trickles_in_is_cut_off(strict_server: LiveServer) -> None:
    """Slowloris: one header line every 0.3 s never completes the head; the server hangs up."""
    sock = _connect(strict_server)
    started = time.monotonic()
    sock.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    try:
        for i in range(10):
            time.sleep(0.3)
            sock.sendall(f"X-Slow-{i}: y\r\n".encode())
    except (BrokenPipeError, ConnectionResetError):
        pass
    assert _closed_within(sock, 5) and time.monotonic() - started < 5
    sock.close()


def test_an_idle_connection_is_closed_and_keep_alive_still_works(strict_server: LiveServer) -> None:
    sock = _connect(strict_server)
    assert _closed_within(sock, 5)  # never sent a byte
    sock.close()
    with httpx.Client(base_url=strict_server.base_url) as client:
        assert client.get("/healthz").status_code == 200
        time.sleep(0.5)
        assert client.get("/healthz").status_code == 200  # the same kept-alive connection


def test_a_head_larger_than_64_kb_is_refused(strict_server: LiveServer) -> None:
    r = httpx.get(f"{strict_server.base_url}/healthz", headers={"X-Big": "x" * 70_000})
    assert r.status_code == 400 and r.json()["error"]["code"] == "request_invalid"
    slow = _connect(strict_server)  # the same head in pieces: h11 refuses it past the size
    slow.sendall(b"GET /healthz HTTP/1.1\r\nHost: x\r\n")
    for _ in range(8):
        slow.sendall(b"X-Big: " + b"x" * 10_000 + b"\r\n")
        time.sleep(0.01)
    assert slow.recv(100).startswith(b"HTTP/1.1 4")
    slow.close()
    assert httpx.get(f"{strict_server.base_url}/healthz", headers={"X-Fine": "x" * 30_000}).status_code == 200


def test_a_body_past_the_limit_is_refused_without_being_read_whole(strict_server: LiveServer) -> None:
    """A chunked body (no Content-Length) stops being read at 1 MiB, on every kind of route."""
    sent = 0

    def body() -> Iterator[bytes]:
        nonlocal sent
        for _ in range(64):  # 64 MiB offered
            sent += 1 << 20
            yield b"a" * (1 << 20)

    for path in ("/v1/customers", "/p/login/nothing", "/dashboard/login"):
        sent = 0
        try:
            r = httpx.post(f"{strict_server.base_url}{path}", content=body(), headers={"Content-Type": "text/plain"})
        except httpx.HTTPError:
            continue  # the server answered and hung up while the client was still sending
        assert r.status_code in (401, 403, 404, 413), (path, r.status_code)
        assert sent < 64 << 20, path
    sock = _connect(strict_server)  # 300 MiB declared: refused before a byte of it is read
    sock.sendall(b"POST /v1/customers HTTP/1.1\r\nHost: x\r\nContent-Length: 314572800\r\n\r\nemail=a")
    assert sock.recv(100).startswith(b"HTTP/1.1 413")
    sock.close()


@pytest.fixture
async def browser(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        yield c


async def test_the_portal_api_stops_reading_at_64_kb(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    shop = await s.shop(client)
    session = await s.session(client, shop.customer["id"])
    await browser.get(s.path(session["url"]))
    csrf = (await browser.get("/p/api/overview")).json()["csrf_token"]
    read = 0

    async def body() -> AsyncIterator[bytes]:
        nonlocal read
        for _ in range(100):
            read += 16 << 10
            yield b" " * (16 << 10)

    r = await browser.post(
        "/p/api/customer", content=body(), headers={"X-CSRF-Token": csrf, "Content-Type": "application/json"}
    )
    assert (r.status_code, r.json()["error"]["code"]) == (413, "request_too_large")
    assert read < 100 * (16 << 10)


@pytest.mark.parametrize("depth", [25, 100_000])
async def test_deeply_nested_json_is_a_400(client: httpx.AsyncClient, depth: int) -> None:
    raw = '{"metadata": ' + "[" * depth + "]" * depth + "}"
    r = await client.post("/v1/customers", content=raw, headers={"Content-Type": "application/json"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_encoding")
    ok = await client.post(
        "/v1/customers", content=json.dumps({"metadata": {"a": "b"}}), headers={"Content-Type": "application/json"}
    )
    assert ok.status_code == 200
