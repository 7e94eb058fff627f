"""The form decoder is the exact inverse of stripe-python's encoder (cases after its tests/test_encode.py)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

import pytest
from stripe._encode import _api_encode

from app.errors import InvalidRequest
from app.http.wire.form import decode_form


def _sdk_body(data: dict[str, Any]) -> str:
    return urlencode(list(_api_encode(data)))


def _as_strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_strings(v) for k, v in value.items() if v is not None}
    if isinstance(value, list):
        return [_as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@pytest.mark.parametrize(
    "data",
    [
        {"email": "jenny@example.com", "name": "Jenny Rosen"},
        {"metadata": {"order": "6735", "note": "a&b=c [x]"}},
        {"expand": ["customer", "invoice_settings.default_payment_method"]},
        {"items": [{"price": "price_1", "quantity": 2}, {"price": "price_2"}]},
        {
            "features": {
                "subscription_update": {
                    "enabled": True,
                    "products": [{"product": "prod_1", "prices": ["price_a", "price_b"]}],
                },
                "subscription_cancel": {"cancellation_reason": {"enabled": False, "options": ["other"]}},
            }
        },
        {"flow_data": {"subscription_update_confirm": {"items": [{"id": "si_1", "price": "p", "quantity": 3}]}}},
        {"unicode": "Åsa Öberg – 東京", "empty": ""},
        {"deep": {"a": {"b": {"c": {"d": "e"}}}}},
    ],
)
def test_decodes_what_stripe_python_encodes(data: dict[str, Any]) -> None:
    assert decode_form(_sdk_body(data)) == _as_strings(data)


def test_accepts_empty_bracket_arrays_and_raw_or_encoded_brackets() -> None:
    assert decode_form("expand[]=a&expand[]=b") == {"expand": ["a", "b"]}
    assert decode_form("metadata%5Bk%5D=v&address[city]=Lund") == {"metadata": {"k": "v"}, "address": {"city": "Lund"}}


def test_hostile_bodies_are_refused_cheaply() -> None:
    with pytest.raises(InvalidRequest):
        decode_form("a[1000]=x")  # an index past the list limit
    with pytest.raises(InvalidRequest):
        decode_form("a" + "[b]" * 20 + "=1")  # nesting deeper than any Stripe parameter
    with pytest.raises(InvalidRequest):
        decode_form("&".join(f"k{i}=v" for i in range(5000)))
