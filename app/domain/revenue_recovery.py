"""What happens after a subscription's renewal payment fails (Stripe's revenue recovery,
https://docs.stripe.com/billing/revenue-recovery/smart-retries): retries over a window, then the
account's chosen end. Stripe's recommended default is 8 tries within 2 weeks, then cancel.

Stripe's Smart Retries pick the times by machine learning; here they are spread evenly over the
window (deterministic, so a test clock replays the same way every time).
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

DAY = 86400


class AfterRetries(StrEnum):
    CANCEL = "cancel"
    MARK_UNPAID = "unpaid"
    LEAVE_PAST_DUE = "past_due"


@dataclass(frozen=True)
class RetryPolicy:
    attempts: int = 8  # all tries, the first (failed) charge included
    window_days: int = 14
    after: AfterRetries = AfterRetries.CANCEL

    @classmethod
    def of(cls, settings: dict[str, object] | None) -> RetryPolicy:
        s = settings or {}
        return cls(
            attempts=int(str(s.get("attempts", 8))),
            window_days=int(str(s.get("window_days", 14))),
            after=AfterRetries(str(s.get("after_retries", AfterRetries.CANCEL.value))),
        )


def next_attempt(policy: RetryPolicy, first_failure: int, attempts_made: int) -> int | None:
    """When to try again after `attempts_made` failed tries (None: no tries are left)."""
    if attempts_made >= policy.attempts:
        return None
    retries = policy.attempts - 1
    return first_failure + (policy.window_days * DAY * attempts_made) // retries
