"""Time is injected: domain rules and services ask a Clock, never datetime.now()."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    def now(self) -> datetime:
        return datetime.now(UTC)

    def __repr__(self) -> str:
        return "SystemClock()"


@dataclass
class FixedClock:
    """A clock that stands still until told to move (tests, and servers pinned to a date)."""

    at: datetime = field(default_factory=lambda: datetime(2026, 11, 26, 12, 0, tzinfo=UTC))

    def now(self) -> datetime:
        return self.at

    def advance(self, **delta: float) -> None:
        self.at = self.at + timedelta(**delta)


@dataclass
class OffsetClock:
    """Real time shifted so that the server starts on a chosen instant and then runs normally."""

    start: datetime
    _origin: datetime = field(default_factory=lambda: datetime.now(UTC))

    def now(self) -> datetime:
        return self.start + (datetime.now(UTC) - self._origin)


def unix(clock: Clock) -> int:
    return int(clock.now().timestamp())
