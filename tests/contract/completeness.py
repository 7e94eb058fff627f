"""Does a response carry every field stripe-python declares non-optional for its class?

Walks the SDK's own annotations (nested classes included), so a field the SDK expects and we do
not render is found without a hand-kept list. Fields we leave out on purpose are named here with
the rule that says so.
"""

from __future__ import annotations

from typing import Any

from stripe import StripeObject

# (class qualname, field): why it is deliberately absent
DIVERGENCES = {
    ("Configuration.Features", "subscription_pause"): "R17: not rendered from 2024-08-01",
}


def missing_fields(cls: type[StripeObject], body: Any, path: str = "") -> list[str]:
    if not isinstance(body, dict):
        return []
    missing: list[str] = []
    for name, annotation in getattr(cls, "__annotations__", {}).items():
        if name.startswith("_") or name.isupper():
            continue
        text = annotation if isinstance(annotation, str) else repr(annotation)
        if (cls.__qualname__, name) in DIVERGENCES:
            continue
        if "Optional[" not in text and name not in body:
            missing.append(f"{path}{name}")
            continue
        nested = _nested_class(cls, text)
        value = body.get(name)
        if nested is not None:
            if isinstance(value, dict):
                missing += missing_fields(nested, value, f"{path}{name}.")
            elif isinstance(value, list):
                for item in value[:3]:
                    missing += missing_fields(nested, item, f"{path}{name}[].")
    return missing


def _nested_class(cls: type[StripeObject], text: str) -> type[StripeObject] | None:
    """The SDK nests a field's class inside its owner (Configuration.Features); find it by name."""
    for token in text.replace("[", " ").replace("]", " ").replace(",", " ").replace('"', " ").split():
        candidate = getattr(cls, token.split(".")[-1], None)
        if isinstance(candidate, type) and issubclass(candidate, StripeObject):
            return candidate
    return None
