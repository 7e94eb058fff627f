"""Several worker processes (WORKERS=2): each listens on a socket of its own, with Nagle's
algorithm off on every connection and the connections spread over the workers
(app/http/server.py)."""

from __future__ import annotations

import asyncio
import socket
import time
from collections.abc import Iterator
from multiprocessing.reduction import ForkingPickler
from pathlib import Path

import httpx
import pytest

from app.http.server import _Config
from bench.run import listeners
from tests.conftest import LiveServer, serve


def _worker_socket(parent: socket.socket) -> socket.socket:
    """What a worker process receives: the parent's socket as multiprocessing sends it."""
    sent: socket.socket = ForkingPickler.loads(bytes(ForkingPickler.dumps(parent)))
    return sent


def _parent() -> socket.socket:
    return _Config("app.main:create_app", factory=True, host="127.0.0.1", port=0, workers=2).bind_socket()


async def test_accepted_connections_have_nagle_off() -> None:
    """uvicorn's own shared socket reported proto 0, and asyncio left TCP_NODELAY off: every
    keep-alive request after the first waited ~40 ms for the client's delayed ACK."""
    parent = _parent()
    worker = _worker_socket(parent)
    assert worker.proto == socket.IPPROTO_TCP and worker.getsockname() == parent.getsockname()
    seen: asyncio.Future[int] = asyncio.get_running_loop().create_future()

    class Probe(asyncio.Protocol):
        def connection_made(self, transport: asyncio.BaseTransport) -> None:
            sock = transport.get_extra_info("socket")
            seen.set_result(sock.getsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY))

    server = await asyncio.get_running_loop().create_server(Probe, sock=worker)
    try:
        _reader, writer = await asyncio.open_connection(*parent.getsockname())
        assert await asyncio.wait_for(seen, 5) != 0
        writer.close()
    finally:
        server.close()
        parent.close()


def test_connections_are_spread_over_the_workers_sockets() -> None:
    """One shared socket let the first worker to wake accept every pending connection."""
    parent = _parent()
    workers = [_worker_socket(parent) for _ in range(2)]
    for sock in workers:
        sock.listen(64)
        sock.setblocking(False)
    clients = [socket.create_connection(parent.getsockname()) for _ in range(40)]
    try:
        accepted = [0, 0]
        for i, sock in enumerate(workers):
            while True:
                try:
                    conn, _ = sock.accept()
                except BlockingIOError:
                    break
                conn.close()
                accepted[i] += 1
        assert sum(accepted) == 40
        assert min(accepted) > 0, accepted  # all 40 on one of two sockets: 2 in 2**40 by chance
    finally:
        for sock in [*clients, *workers, parent]:
            sock.close()


@pytest.fixture
def two_workers(database_url: str, tmp_path: Path) -> Iterator[LiveServer]:
    yield from serve(database_url, tmp_path, WORKERS="2")


def test_portal_serve_with_two_workers_listens_twice_and_serves(two_workers: LiveServer) -> None:
    port = int(two_workers.base_url.rsplit(":", 1)[1])
    deadline = time.monotonic() + 30
    while listeners(port) < 2 and time.monotonic() < deadline:
        time.sleep(0.1)  # the second worker may still be starting
    assert listeners(port) == 2
    with httpx.Client(base_url=two_workers.base_url) as client:
        for _ in range(20):
            assert client.get("/healthz").status_code == 200
