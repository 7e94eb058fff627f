"""app/json_text.py: orjson writes the API's bodies and the JSON columns; what it writes must be
what the standard library wrote before (`separators=(",", ":")`, `ensure_ascii=False`), and what
it refuses must still be written."""

from __future__ import annotations

import json
from typing import Any

import pytest

from app import json_text

SAMPLES: list[Any] = [
    {"id": "cus_1", "object": "customer", "deleted": False, "discount": None, "balance": -999_999_999_999},
    {"name": "Åsa Öberg", "footer": "日本語 — \u2028 \u00a0", "emoji": "💳", "quote": '"\\/'},
    {"control": "a\nb\tc\u0000\u001f\u007f", "empty": {}, "list": [], "nested": [[1, [2, {"x": None}]]]},
    {"percent_off": 25.5, "whole": 25.0, "small": 0.1, "max_int": 2**63 - 1, "min_int": -(2**63)},
]


@pytest.mark.parametrize("value", SAMPLES)
def test_bodies_are_written_as_the_standard_library_wrote_them(value: Any) -> None:
    expected = json.dumps(value, separators=(",", ":"), ensure_ascii=False)
    assert json_text.dumps_bytes(value) == expected.encode()
    assert json_text.dumps(value) == expected
    assert json_text.loads(expected) == value == json.loads(expected)


def test_what_orjson_refuses_is_written_by_the_standard_library() -> None:
    # Beyond 64 bits (never stored: every integer parameter is bounded, app/params/base.py) and
    # non-string keys: orjson raises, json writes them.
    for value in ({"n": 2**64}, {1: "one", "two": 2}):
        assert json_text.dumps_bytes(value) == json.dumps(value, separators=(",", ":")).encode()


def test_a_copy_shares_nothing_and_what_orjson_refuses_is_copied_too() -> None:
    tree: dict[str, Any] = {"a": [{"b": 1}], "c": {"d": None}}
    copied = json_text.copy(tree)
    assert copied == tree and copied is not tree and copied["a"][0] is not tree["a"][0]
    copied["a"][0]["b"] = 2
    assert tree["a"][0]["b"] == 1
    big = {"n": [2**70]}
    assert json_text.copy(big) == big and json_text.copy(big)["n"] is not big["n"]
