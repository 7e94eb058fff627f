"""API versions: which Stripe-Version the service renders, and how a body of the newest version is
turned into an older one's shape.

Objects are rendered in the newest supported version (2026-10-28.endive, what the pinned SDKs
send); a request (or a webhook endpoint) that asks for an older supported version gets the body
changed back one version step at a time, newest first, as Stripe's own version changes are
described. Only the fields that differ between the versions are listed here: the contract test
(tests/contract/test_definition.py) checks every object against each version's published
definition, so a difference not listed here fails it.

Unknown or absent versions render the newest (Stripe renders an account's default version; this
service's default is the newest it supports).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

ENDIVE = "2026-10-28.endive"  # stripe-python 16.1, stripe-node 23.1
DAHLIA_0826 = "2026-08-26.dahlia"  # stripe-python 15.6 and stripe-node 22.6: the previous majors
DAHLIA = "2026-07-29.dahlia"  # stripe-node 22.5
API_VERSION = ENDIVE
# Newest first.
SUPPORTED = (ENDIVE, DAHLIA_0826, DAHLIA)

Json = dict[str, Any]


def _drop(body: Json, path: str) -> None:
    """Remove a dotted path (`a.b.c`; `items.data[].x` for every element of a list)."""
    head, _, rest = path.partition(".")
    if head.endswith("[]"):
        for element in body.get(head[:-2]) or []:
            if isinstance(element, dict) and rest:
                _drop(element, rest)
        return
    if not rest:
        body.pop(head, None)
        return
    child = body.get(head)
    if isinstance(child, dict):
        _drop(child, rest)


# What each version added, by object type: going back past it removes these fields.
_ADDED: dict[str, dict[str, tuple[str, ...]]] = {
    ENDIVE: {
        "billing_portal.session": ("after_expiration", "flow.subscription_pause"),
        "payment_method": ("paypay", "sequra"),
        "product": ("tax_details",),
        "subscription": ("trial_settings.end_behavior.billing_cycle_anchor", "pending_update.cancel_at_period_end"),
        "subscription_item": ("current_trial",),
        "subscription_schedule": ("pause_schedules",),
    },
    DAHLIA_0826: {
        "billing_portal.session": ("flow.customer_update",),
        "billing_portal.configuration": ("features.subscription_cancel.cancellation_reason.feedback_options",),
        "subscription": ("cancellation_details.feedback_option",),
    },
}


def rendered(requested: str | None) -> str:
    """The version a request gets: the one it asks for when supported, else the newest."""
    return requested if requested in SUPPORTED else API_VERSION


def for_version(body: Any, version: str | None) -> Any:
    """`body` (rendered in the newest version) as `version` shapes it; changed in place."""
    target = rendered(version)
    steps = [_ADDED[v] for v in SUPPORTED[: SUPPORTED.index(target)] if v in _ADDED]
    if steps:
        _walk(body, lambda obj: _downgrade(obj, steps))
    return body


def _downgrade(obj: Json, steps: list[dict[str, tuple[str, ...]]]) -> None:
    kind = obj.get("object")
    if not isinstance(kind, str):
        return
    for added in steps:
        for path in added.get(kind, ()):
            _drop(obj, path)


def _walk(value: Any, visit: Callable[[Json], None]) -> None:
    """Every Stripe object inside `value` (lists, expansions, an event's data.object)."""
    if isinstance(value, dict):
        for child in value.values():
            _walk(child, visit)
        visit(value)
    elif isinstance(value, list):
        for child in value:
            _walk(child, visit)
