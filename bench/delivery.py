"""Webhook delivery throughput for `make bench`: deliveries a second from `portal worker`
processes to a local sink (bench/sink.py), with 1 and 2 workers.

The events are made through the API first (customer creates, one `customer.created` each) with
no worker running; then the workers start and the clock runs until the sink has every delivery.
Several endpoints take every event, so the per-endpoint limit on attempts in flight
(WEBHOOK_PER_ENDPOINT) is not what is measured.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from dataclasses import dataclass

import httpx

ENDPOINTS = 4
EVENTS = int(os.environ.get("BENCH_EVENTS", "2500"))


@dataclass
class Throughput:
    workers: int
    deliveries: int
    seconds: float

    @property
    def per_second(self) -> float:
        return self.deliveries / self.seconds if self.seconds else 0.0


def endpoints(base: str, key: str, sink: str) -> None:
    with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as api:
        for n in range(ENDPOINTS):
            api.post(
                "/v1/webhook_endpoints", data={"url": f"{sink}/hook/{n}", "enabled_events[0]": "customer.created"}
            ).raise_for_status()


def events(base: str, key: str, count: int = EVENTS) -> int:
    """`count` events (no worker runs meanwhile); the deliveries they owe."""
    with httpx.Client(base_url=base, auth=(key, ""), timeout=30) as api:
        for i in range(count):
            api.post("/v1/customers", data={"email": f"hook{i}@bench.example"}).raise_for_status()
    return count * ENDPOINTS


def measure(env: dict[str, str], root: str, sink: str, owed: int, workers: int, *, before: int) -> Throughput:
    """Start `workers` worker processes and wait until the sink counted `before + owed`; timed
    from the first delivery (a process's start is not delivery)."""
    processes = [
        subprocess.Popen(
            [sys.executable, "-m", "app.cli", "worker"],
            env={**os.environ, **env, "LOG_LEVEL": "warning"},
            cwd=root,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        for _ in range(workers)
    ]
    try:
        deadline = time.perf_counter() + 600
        first: tuple[float, int] | None = None
        received = before
        while time.perf_counter() < deadline:
            received = int(httpx.get(f"{sink}/count", timeout=5).text)
            if first is None and received > before:
                first = (time.perf_counter(), received)
            if received >= before + owed:
                break
            time.sleep(0.02)
        if first is None:
            return Throughput(workers, 0, 0.0)
        return Throughput(workers, received - first[1], time.perf_counter() - first[0])
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)
