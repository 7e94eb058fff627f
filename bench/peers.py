"""Peers in the same `make bench` run: localstripe (PyPI, the stateful Python Stripe fake, all in
memory), in a virtualenv of its own under var/bench-peers/ (its aiohttp is not ours), bound to
127.0.0.1 (its own command listens on every interface, so it is started through its aiohttp
application instead: `localstripe.server.app`).
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import httpx

LOCALSTRIPE = "localstripe==1.15.10"
SERVE = (
    "import sys; from aiohttp import web; from localstripe.server import app; "
    "web.run_app(app, host='127.0.0.1', port=int(sys.argv[1]), access_log=None, print=None)"
)


def _python(root: Path) -> Path:
    """The peers' virtualenv's Python, made (once) with localstripe in it."""
    folder = root / "var" / "bench-peers"
    python = folder / "bin" / "python"
    stamp = folder / f".installed-{LOCALSTRIPE}"
    if not stamp.exists():
        subprocess.run([sys.executable, "-m", "venv", str(folder)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", LOCALSTRIPE], check=True)
        stamp.touch()
    return python


class Localstripe:
    def __init__(self, root: Path, port: int) -> None:
        self.base = f"http://127.0.0.1:{port}"
        # Its store is pickled to /tmp/localstripe.pickle after each write (its design, kept: that
        # is what a team running it gets); a run of its own starts from an empty store.
        Path("/tmp/localstripe.pickle").unlink(missing_ok=True)
        self.process = subprocess.Popen(
            [str(_python(root)), "-c", SERVE, str(port)],
            env={**os.environ, "PYTHONUNBUFFERED": "1"},
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                httpx.get(f"{self.base}/v1/customers", auth=("sk_test_peer", ""), timeout=1)
                return
            except httpx.HTTPError:
                time.sleep(0.1)
        raise RuntimeError("localstripe did not start")

    def seed_customers(self, count: int) -> None:
        with httpx.Client(base_url=self.base, auth=("sk_test_peer", ""), timeout=30) as api:
            for i in range(count):
                api.post("/v1/customers", data={"email": f"peer{i}@bench.example"}).raise_for_status()

    def stop(self) -> None:
        self.process.terminate()
        self.process.wait(timeout=30)
