"""What a use case knows about who asked and when: scope, clock, and the request it serves."""

from __future__ import annotations

from dataclasses import dataclass

from app.clock import Clock
from app.scope import Scope


@dataclass(frozen=True)
class Ctx:
    scope: Scope
    clock: Clock
    request_id: str | None = None
    idempotency_key: str | None = None
    api_version: str | None = None
    # Public base URL of the service, for links stored on objects (hosted invoice pages).
    base_url: str = "http://127.0.0.1:8000"

    def now(self) -> int:
        return int(self.clock.now().timestamp())
