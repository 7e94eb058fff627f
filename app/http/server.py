"""Serving an ASGI app with uvicorn, one process or several.

With several worker processes, uvicorn (0.54) binds one listening socket in the parent and hands
it to every worker. Two things go wrong with that, both measured with bench/ (WORKERS=2,
PostgreSQL):

- The socket is made with `proto` 0. Accepted connections inherit it, and asyncio only turns
  Nagle's algorithm off (TCP_NODELAY) for sockets reporting IPPROTO_TCP, so every keep-alive
  request after the first waited ~40 ms for the client's delayed ACK (Kludex/uvicorn#3149): one
  connection got 22 requests/s instead of ~550.
- Whichever worker wakes first accepts every pending connection (asyncio accepts up to the backlog
  per wake-up). bench/'s 32 keep-alive connections all landed on one worker in every run, so the
  second worker idled and p99 doubled.

So each worker listens on a socket of its own, all bound to the same address with SO_REUSEPORT:
the kernel spreads new connections over them. The parent keeps its bound socket without listening
(it reserves the address and fails early when it is taken); sent to a worker, it arrives as a new
socket bound for that worker (`_WorkerSocket.__reduce__`). uvicorn's supervisor (health checks,
restarts, signals) is used as it comes. As with any SO_REUSEPORT server, a second copy started by
the same user on the same port would share the connections instead of failing.
"""

from __future__ import annotations

import logging
import socket
import sys
from typing import Any

import uvicorn
from uvicorn.config import STARTUP_FAILURE
from uvicorn.supervisors import Multiprocess

logger = logging.getLogger("uvicorn.error")


def listening_socket(family: socket.AddressFamily, address: tuple[Any, ...]) -> socket.socket:
    """A TCP socket bound to `address` beside the other workers' (not yet listening)."""
    sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind(address)
    return sock


class _WorkerSocket(socket.socket):
    def __reduce__(self) -> tuple[Any, ...]:
        # multiprocessing would send a duplicate of this descriptor; each worker binds its own.
        return (listening_socket, (self.family, self.getsockname()))


class _Config(uvicorn.Config):
    def __init__(self, *args: Any, header_timeout: float = 10.0, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.header_timeout = header_timeout  # read by app/http/protocol.py

    def bind_socket(self) -> socket.socket:
        if self.uds or self.fd is not None:
            return super().bind_socket()
        family = socket.AF_INET6 if ":" in self.host else socket.AF_INET
        sock = _WorkerSocket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
        try:
            sock.bind((self.host, self.port))
        except OSError as exc:
            logger.error(exc)
            sys.exit(STARTUP_FAILURE)
        logger.info("Uvicorn running on http://%s:%d with %d workers", self.host, self.port, self.workers)
        return sock


def serve(app: str, *, workers: int, **options: Any) -> int:
    """Serve `app` (an import string of an app factory) as `uvicorn.run` would; the exit status."""
    config = _Config(app, factory=True, workers=workers, **options)
    if config.workers > 1:
        Multiprocess(config, sockets=[config.bind_socket()]).run()
        return 0
    server = uvicorn.Server(config)
    server.run()
    return 0 if server.started else STARTUP_FAILURE
