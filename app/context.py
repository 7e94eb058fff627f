"""What a use case knows about who asked and when: scope, clock, and the request it serves."""

from __future__ import annotations

from dataclasses import dataclass, field

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
    # Set while the use case acts on a customer attached to a test clock: its frozen time is "now".
    _frozen: dict[str, int] = field(default_factory=dict, compare=False, hash=False, repr=False)

    def now(self) -> int:
        frozen = self._frozen.get("at")
        return frozen if frozen is not None else int(self.clock.now().timestamp())

    # Set while the use case charges with the customer away (Stripe's `off_session=true`): a
    # payment that needs the customer's authentication then fails instead of waiting for it.
    _payments: dict[str, bool] = field(default_factory=dict, compare=False, hash=False, repr=False)

    @property
    def off_session(self) -> bool:
        return self._payments.get("off_session", False)

    def charge_off_session(self) -> None:
        self._payments["off_session"] = True

    def freeze(self, at: int) -> None:
        """From now on in this use case, time is the test clock's `at` (app.services.test_clocks)."""
        self._frozen["at"] = at
