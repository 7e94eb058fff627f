"""Property: the form decoder inverts stripe-python's encoder for any parameter tree the SDK sends."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from hypothesis import given, settings
from hypothesis import strategies as st
from stripe._encode import _api_encode

from app.http.wire.form import decode_form

keys = st.from_regex(r"[a-z][a-z_]{0,11}", fullmatch=True)
# Any text but NUL, which the decoder refuses on purpose (PostgreSQL cannot hold it; test_wire.py).
text = st.text(alphabet=st.characters(codec="utf-8", exclude_characters="\x00"), max_size=20)
scalars = st.one_of(
    text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.booleans(),
)


# stripe-python writes booleans inside arrays as "True"/"False" (top-level ones as "true"/"false");
# Stripe's API has no boolean arrays, so arrays here hold text, numbers and hashes.
array_items = st.one_of(
    text,
    st.integers(min_value=-(10**12), max_value=10**12),
    st.dictionaries(keys, scalars, min_size=1, max_size=3),
)


def _trees(depth: int) -> st.SearchStrategy[Any]:
    if depth == 0:
        return scalars
    inner = _trees(depth - 1)
    return st.one_of(
        scalars,
        st.dictionaries(keys, inner, min_size=1, max_size=4),
        st.lists(array_items, min_size=1, max_size=5),
    )


def _as_strings(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _as_strings(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_as_strings(v) for v in value]
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(keys, _trees(3), min_size=1, max_size=5))
def test_decoder_inverts_the_sdk_encoder(params: dict[str, Any]) -> None:
    body = urlencode(list(_api_encode(params)))
    assert decode_form(body) == _as_strings(params)
