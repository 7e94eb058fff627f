"""The default-configuration editor's form, as the Stripe-shaped parameters the API takes.

Field names are the API's own (`features[subscription_cancel][enabled]`), so the dashboard goes
through the same parsing, rules and errors as the API (R20). HTML leaves unchecked boxes and
empty lists out; this fills in what "nothing chosen" means.
"""

from __future__ import annotations

from typing import Any


def configuration_params(form: dict[str, Any]) -> dict[str, Any]:
    data: dict[str, Any] = {
        k: v for k, v in form.items() if k in ("business_profile", "default_return_url", "features")
    }
    features = data.setdefault("features", {})
    update = features.setdefault("subscription_update", {})
    products = [p for p in (update.get("products") or []) if isinstance(p, dict) and p.get("prices")]
    update["products"] = products or ""
    for path in (("subscription_update", "default_allowed_updates"), ("customer_update", "allowed_updates")):
        branch = features.setdefault(path[0], {})
        if not branch.get(path[1]):
            branch[path[1]] = ""
    reason = features.setdefault("subscription_cancel", {}).setdefault("cancellation_reason", {})
    reason.setdefault("enabled", "false")
    if not reason.get("options"):
        reason["options"] = ""
    profile = data.setdefault("business_profile", {})
    if profile.get("headline") == "":
        profile["headline"] = ""
    return data
