"""JSON text in and out, with orjson: the API's bodies and the database's JSON columns.

Every API answer is encoded here and every JSON column (a subscription has a dozen) decoded
here; with the standard library both were a tenth of a list request's time. orjson writes what
`json.dumps(..., separators=(",", ":"), ensure_ascii=False)` writes for the values this service
has; where it refuses one (an integer beyond 64 bits), the standard library answers as before.
"""

from __future__ import annotations

import copy as _copy
import json
from typing import Any

import orjson


def dumps_bytes(value: Any) -> bytes:
    try:
        return orjson.dumps(value)
    except orjson.JSONEncodeError:
        return json.dumps(value, separators=(",", ":"), ensure_ascii=False).encode()


def dumps(value: Any) -> str:
    """For SQLAlchemy's JSON columns (`create_engine(json_serializer=...)`), which take text."""
    return dumps_bytes(value).decode()


def loads(text: str | bytes) -> Any:
    return orjson.loads(text)


def copy(value: Any) -> Any:
    """A deep copy of JSON data (dicts, lists, strings, numbers, booleans, None), several times
    faster than `copy.deepcopy` for a tree of them (tuples come back as lists); what orjson
    refuses is copied by `copy.deepcopy`."""
    try:
        return orjson.loads(orjson.dumps(value))
    except orjson.JSONEncodeError:
        return _copy.deepcopy(value)
