"""Process-wide state of one app instance: settings, database, clock, small caches."""

from __future__ import annotations

import time
from dataclasses import dataclass, field

from app.clock import Clock
from app.events.addresses import Resolver
from app.mail import Mailer
from app.portal.logos import Logos
from app.scope import Scope
from app.settings import Settings
from app.store.database import Database


@dataclass
class KeyCache:
    """Verified keys, briefly: saves a query per request on the hot path."""

    ttl: float
    _entries: dict[str, tuple[float, Scope]] = field(default_factory=dict)

    def get(self, key_hash: str) -> Scope | None:
        hit = self._entries.get(key_hash)
        if hit is None or hit[0] < time.monotonic():
            return None
        return hit[1]

    def put(self, key_hash: str, scope: Scope) -> None:
        if len(self._entries) > 10_000:
            self._entries.clear()
        self._entries[key_hash] = (time.monotonic() + self.ttl, scope)

    def clear(self) -> None:
        self._entries.clear()


@dataclass
class AppState:
    settings: Settings
    db: Database
    clock: Clock
    keys: KeyCache
    mailer: Mailer
    # DNS for custom-domain verification (DNS_NAMESERVERS, else the system's).
    resolver: Resolver = field(default_factory=Resolver)
    # The merchants' logos for invoice PDFs, fetched through `resolver` and kept a while.
    logos: Logos = field(default_factory=lambda: Logos(Resolver()))
    # Idempotency keys whose first request is running in this process: a second one is a 409 at once.
    in_flight: set[tuple[str, bool, str]] = field(default_factory=set)
