"""Small helpers every use case shares: Stripe's "" (unset), metadata merging, test-mode-only checks."""

from __future__ import annotations

from typing import Any, TypeVar

from app.context import Ctx
from app.errors import InvalidRequest, ResourceMissing

T = TypeVar("T")


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


def page_in_order(items: list[T], ids: list[str], params: Any, noun: str) -> tuple[list[T], bool]:
    """A page of an ordered list kept inside another object (an invoice's lines, a subscription's
    items; `ids` are theirs), by `starting_after` / `ending_before`: the page, and whether there is more."""
    start, end = 0, len(items)
    if params.starting_after is not None:
        if params.starting_after not in ids:
            raise ResourceMissing(noun, params.starting_after, param="starting_after")
        start = ids.index(params.starting_after) + 1
    if params.ending_before is not None:
        if params.ending_before not in ids:
            raise ResourceMissing(noun, params.ending_before, param="ending_before")
        end = ids.index(params.ending_before)
        start = max(start, end - params.limit)
    page = items[start : min(end, start + params.limit)]
    more = start > 0 if params.ending_before is not None else start + len(page) < end
    return page, more
