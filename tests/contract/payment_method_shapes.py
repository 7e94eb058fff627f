"""The payment method types the service takes beyond the ones it describes by hand (cards and
bank debits, app/services/payment_methods.py): for each, from Stripe's pinned definition, the
sub-parameters `type[...]` takes and the fields the object's `type` hash always has.
`python -m tests.contract.payment_method_shapes` writes app/domain/payment_method_shapes.json;
a test fails when it drifts from the definition."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from app.objects.version import API_VERSION
from app.params.payment_methods import HAND_WRITTEN
from tests.contract.definition import Definition, definitions

SHAPES = Path(__file__).parents[2] / "app" / "domain" / "payment_method_shapes.json"
# Described by hand, with their checks (card numbers, IBANs, account numbers).
BY_HAND = HAND_WRITTEN


def _kind(d: Definition, t: dict[str, Any]) -> dict[str, Any]:
    """A field's type, reduced to what rendering needs: kind, nullable, and an object's fields."""
    parts = [d.resolve(p) for p in (d.resolve(t)["of"] if d.resolve(t)["kind"] == "union" else [t])]
    nullable = any(p["kind"] == "null" for p in parts)
    kinds = [p for p in parts if p["kind"] not in ("null", "undefined")]
    objects = [p for p in kinds if p["kind"] == "object" and p.get("fields")]
    if objects:
        return {"kind": "object", "nullable": nullable, "fields": _fields(d, objects[0])}
    names = {p["kind"] for p in kinds}
    kind = next((k for k in ("number", "boolean", "array", "string") if k in names), "string")
    return {"kind": kind, "nullable": nullable}


def _fields(d: Definition, obj: dict[str, Any]) -> dict[str, Any]:
    return {
        name: {"optional": spec["optional"], **_kind(d, spec["type"])} for name, spec in sorted(obj["fields"].items())
    }


def shapes() -> dict[str, Any]:
    d = definitions(API_VERSION, ("PaymentMethod", "PaymentMethodCreateParams"))
    params = d.root("PaymentMethodCreateParams")["fields"]
    objects = d.root("PaymentMethod")["fields"]
    types = [t["value"] for t in d.resolve(params["type"]["type"])["of"] if t.get("value")]
    found: dict[str, Any] = {}
    for kind in sorted(set(types) - BY_HAND):
        param = _kind(d, params[kind]["type"]) if kind in params else {"kind": "object", "fields": {}}
        obj = _kind(d, objects[kind]["type"]) if kind in objects else {"kind": "object", "fields": {}}
        found[kind] = {"params": param.get("fields", {}), "object": obj.get("fields", {})}
    return {"version": API_VERSION, "types": found}


def write() -> None:
    SHAPES.write_text(json.dumps(shapes(), indent=1, sort_keys=True) + "\n")


if __name__ == "__main__":
    write()
