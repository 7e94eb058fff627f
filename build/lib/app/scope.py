"""The (account, mode) pair every stored object and every query is scoped by (R2)."""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Scope:
    account_id: str
    livemode: bool

    @property
    def mode(self) -> str:
        return "live" if self.livemode else "test"
