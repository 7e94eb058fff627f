"""Pausing payment collection (R15): `pause_collection` on a subscription, never a status change."""

from __future__ import annotations

from typing import Any

from app.domain.errors import RuleViolation

PAUSE_BEHAVIORS = ("keep_as_draft", "mark_uncollectible", "void")
PAUSABLE_STATUSES = frozenset({"active", "trialing", "past_due", "unpaid"})


def pause_collection_value(behavior: str, resumes_at: int | None, *, now: int, status: str) -> dict[str, Any]:
    """The `pause_collection` hash to store; the subscription's status stays what it is (R15)."""
    if status not in PAUSABLE_STATUSES:
        raise RuleViolation(
            f"Payment collection cannot be paused on a subscription with status {status}.",
            code="subscription_not_pausable",
            param="pause_collection",
        )
    if behavior not in PAUSE_BEHAVIORS:
        raise RuleViolation(
            f"Invalid pause_collection[behavior]: must be one of {', '.join(PAUSE_BEHAVIORS)}",
            code="parameter_invalid_enum",
            param="pause_collection[behavior]",
        )
    if resumes_at is not None and resumes_at <= now:
        raise RuleViolation(
            "pause_collection[resumes_at] must be in the future.",
            code="parameter_invalid_integer",
            param="pause_collection[resumes_at]",
        )
    return {"behavior": behavior, "resumes_at": resumes_at}


def resumes_by(pause: dict[str, Any] | None, at: int) -> bool:
    """Whether a pause with a `resumes_at` has ended by `at`."""
    return pause is not None and pause.get("resumes_at") is not None and pause["resumes_at"] <= at
