"""Small helpers every use case shares: Stripe's "" (unset), metadata merging, test-mode-only checks."""

from __future__ import annotations

from typing import Any

from app.context import Ctx
from app.errors import InvalidRequest


def blank(value: Any) -> Any:
    """Stripe's "" means "unset"."""
    return None if value == "" else value


def dump(value: Any) -> Any:
    """A params model as a plain dict (unsent fields left out), anything else unchanged."""
    return value.model_dump(exclude_none=True) if hasattr(value, "model_dump") else value


def merge_metadata(current: dict[str, str] | None, sent: dict[str, str] | str | None) -> dict[str, str]:
    """`metadata=""` clears all; `metadata[k]=""` removes k; other keys are set."""
    if sent == "":
        return {}
    merged = dict(current or {})
    if isinstance(sent, dict):
        for key, value in sent.items():
            if value == "":
                merged.pop(key, None)
            else:
                merged[key] = value
    return merged


def require_test_mode(ctx: Ctx, what: str) -> None:
    if ctx.scope.livemode:
        raise InvalidRequest(f"{what} can only be used in test mode; this request used a live-mode key.")
