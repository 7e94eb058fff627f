"""Stripe's published definition of its objects, read from the official stripe-node package's
generated types (pinned per API version in tests/contract/stripe_definition/package.json), and a
check of a rendered object against it: every field Stripe always sends (`field: T | null`) is
present, no field is sent that Stripe does not define (unless it is one of our documented
extensions), and every value has the defined type (null only where the definition allows it).
"""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
from functools import cache
from pathlib import Path
from typing import Any

HERE = Path(__file__).parent / "stripe_definition"
CACHE = Path(__file__).parents[2] / "var" / "stripe-definition"
# The API version each pinned package is generated for.
PACKAGES = {
    "2026-10-28.endive": "stripe-endive",  # stripe-node 23.1 (stripe-python 16.1 sends it too)
    "2026-08-26.dahlia": "stripe-dahlia-0826",  # stripe-node 22.6, the last of the previous major (stripe-python 15.6 too)
    "2026-07-29.dahlia": "stripe-dahlia",  # stripe-node 22.5
}


def install() -> None:
    """`npm ci` of the pinned packages, once (the test setup installs them; nothing is committed)."""
    if all((HERE / "node_modules" / p).exists() for p in [*PACKAGES.values(), "typescript"]):
        return
    npm = shutil.which("npm")
    assert npm is not None, "the contract tests need Node.js and npm (Debian's nodejs/npm)"
    subprocess.run([npm, "ci", "--no-audit", "--no-fund", "--silent"], cwd=HERE, check=True, timeout=600)


@cache
def definitions(version: str, names: tuple[str, ...]) -> Definition:
    """The named interfaces of `version`'s package. Reading the types takes the TypeScript
    checker ~20 s, so the result is kept under var/ keyed by the lock file, the script and the names."""
    key = hashlib.sha256(
        (HERE / "package-lock.json").read_bytes() + (HERE / "extract.mjs").read_bytes() + repr(names).encode()
    ).hexdigest()[:16]
    cached = CACHE / f"{version}-{key}.json"
    if cached.exists():
        return Definition(json.loads(cached.read_text()))
    install()
    node = shutil.which("node")
    assert node is not None
    out = subprocess.run(
        [node, str(HERE / "extract.mjs"), PACKAGES[version], *names],
        capture_output=True,
        check=True,
        timeout=300,
        text=True,
    )
    data = json.loads(out.stdout)
    missing = [name for name, d in data["roots"].items() if d is None]
    assert not missing, f"not in the definition: {missing}"
    CACHE.mkdir(parents=True, exist_ok=True)
    cached.write_text(out.stdout)
    return Definition(data)


class Definition:
    """One version's object types: `roots` by the names asked for, every named type in `types`."""

    def __init__(self, data: dict[str, Any]) -> None:
        self.roots: dict[str, Any] = data["roots"]
        self.types: dict[str, Any] = data["types"]

    def resolve(self, t: dict[str, Any]) -> dict[str, Any]:
        resolved: dict[str, Any] = self.types[t["name"]] if t["kind"] == "ref" else t
        return resolved

    def root(self, name: str) -> dict[str, Any]:
        return self.resolve(self.roots[name])

    def matches(self, value: Any, t: dict[str, Any]) -> bool:
        t = self.resolve(t)
        kind = t["kind"]
        if kind == "union":
            return any(self.matches(value, part) for part in t["of"])
        if kind == "any":
            return True
        if kind == "null":
            return value is None
        if kind == "undefined":
            return False
        if kind == "string":
            return isinstance(value, str) and (t.get("value") is None or value == t["value"])
        if kind == "number":
            return isinstance(value, int | float) and not isinstance(value, bool)
        if kind == "boolean":
            return isinstance(value, bool)
        if kind == "array":
            return isinstance(value, list)
        if kind in ("object", "map"):
            return isinstance(value, dict)
        return True

    def _parts(self, t: dict[str, Any]) -> list[dict[str, Any]]:
        t = self.resolve(t)
        return [self.resolve(p) for p in t["of"]] if t["kind"] == "union" else [t]

    def problems(self, body: Any, definition: dict[str, Any], path: str, extensions: frozenset[str]) -> list[str]:
        """What in `body` breaks the definition, as `path: why` lines."""
        definition = self.resolve(definition)
        if not isinstance(body, dict) or not definition.get("fields") or body.get("deleted") is True:
            return []
        found: list[str] = []
        fields: dict[str, Any] = definition["fields"]
        for name, spec in fields.items():
            if name not in body:
                if not spec["optional"]:
                    found.append(f"{path}{name}: missing")
                continue
            value = body[name]
            if not self.matches(value, spec["type"]):
                found.append(f"{path}{name}: {json.dumps(value)[:60]} is not {self.show(spec['type'])}")
                continue
            found += self._nested(value, spec["type"], f"{path}{name}", extensions)
        for name in body:
            if name not in fields and f"{path}{name}" not in extensions:
                found.append(f"{path}{name}: not in Stripe's definition")
        return found

    def _nested(self, value: Any, t: dict[str, Any], path: str, extensions: frozenset[str]) -> list[str]:
        parts = self._parts(t)
        if isinstance(value, dict):
            # An object type without fields (an event's `data.object`) says nothing of its contents.
            objects = [p for p in parts if p["kind"] == "object" and p.get("fields")]
            if len(objects) > 1 and "object" in value:
                objects = [
                    o
                    for o in objects
                    if "object" in o["fields"] and self.matches(value["object"], o["fields"]["object"]["type"])
                ] or objects
            if objects:
                return self.problems(value, objects[0], f"{path}.", extensions)
            maps = [p for p in parts if p["kind"] == "map"]
            if maps:
                values = self.resolve(maps[0]["values"])
                if values.get("fields"):
                    return [x for k, v in value.items() for x in self.problems(v, values, f"{path}[{k}].", extensions)]
        if isinstance(value, list):
            arrays = [p for p in parts if p["kind"] == "array"]
            if arrays:
                return [
                    x for item in value[:3] for x in self._nested(item, arrays[0]["items"], f"{path}[]", extensions)
                ]
        return []

    def show(self, t: dict[str, Any]) -> str:
        if t["kind"] == "ref":
            return str(t["name"])
        if t["kind"] == "union":
            return " | ".join(self.show(p) for p in t["of"])
        if t["kind"] == "string" and t.get("value") is not None:
            return repr(t["value"])
        return str(t.get("name") or t["kind"])
