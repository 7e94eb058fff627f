"""Schemathesis hooks: send form bodies the way Stripe's SDKs do.

Schemathesis' own form serializer flattens one level (`flow_data=type`), which no Stripe client
sends; this one is stripe-python's encoder (`a[b]=`, `items[0][price]=`, booleans as
`true`/`false`), with a null sent as an empty value the way stripe-node sends it (stripe-python
would drop it, and a case whose only fault is `unknown=null` would reach the server as nothing).
Use it with `SCHEMATHESIS_HOOKS=tests.fuzz.hooks`.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlencode

import schemathesis
from stripe._encode import _api_encode


def _nulls_as_empty(value: Any) -> Any:
    # An empty map or list is sent as `key=` too (Stripe's way to say "empty"), not left out.
    if value is None or value == {} or value == []:
        return ""
    if isinstance(value, Mapping):
        return {key: _nulls_as_empty(item) for key, item in value.items()}
    if isinstance(value, list):
        return [_nulls_as_empty(item) for item in value]
    return value


@schemathesis.serializer("application/x-www-form-urlencoded")
def stripe_form(_ctx: Any, value: Any) -> bytes:
    if isinstance(value, bytes):
        return value
    if isinstance(value, str):
        return value.encode()
    if value is None:
        return b""
    if isinstance(value, Mapping):
        return urlencode(list(_api_encode({key: _nulls_as_empty(item) for key, item in value.items()}))).encode()
    # A negative case may make the body an array or a number: send it as it is, for the server to refuse.
    return json.dumps(value).encode()
