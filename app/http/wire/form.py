"""Reading request parameters: bracket-nested forms (what the SDKs send), JSON, query strings.

The decoder is qs-codec, Node's `qs`, the exact inverse of stripe-python's `_api_encode`: indexed
arrays `a[0][b]=`, `a[]=`, nested maps, raw or percent-encoded brackets.
"""

from __future__ import annotations

import json
from typing import Any
from urllib.parse import unquote_plus

import qs_codec as qs
from starlette.requests import Request

from app.errors import InvalidRequest, RequestTooLarge
from app.params.parsing import NUL_MESSAGE

_OPTIONS = qs.DecodeOptions(
    depth=8,
    strict_depth=True,
    list_limit=100,
    parameter_limit=2000,
    raise_on_limit_exceeded=True,
)


_LAST_WINS = qs.DecodeOptions(
    depth=8,
    strict_depth=True,
    list_limit=100,
    parameter_limit=2000,
    raise_on_limit_exceeded=True,
    duplicates=qs.Duplicates.LAST,
)


def _check_pairs(raw: str) -> None:
    """What qs would pass on silently: NUL in a value (PostgreSQL cannot store or compare such
    text; refused on both databases alike), a pair without a name (`=x`, which qs drops) and one
    filed at the top level by a bracket (`[a]=x`). Each is a mistake the caller should hear about."""
    for pair in raw.split("&"):
        if not pair:
            continue
        name = unquote_plus(pair.partition("=")[0])
        if "%00" in pair or "\x00" in pair:
            raise InvalidRequest(NUL_MESSAGE, code="parameter_invalid_string", param=name or None)
        if not name or name.startswith("["):
            raise InvalidRequest(
                f"Received a parameter without a name: {pair[:100]!r}. Parameters look like `name=value` "
                "or `name[key]=value`.",
                code="parameter_unknown",
                param=name or None,
            )


def decode_form(raw: str, *, last_wins: bool = False) -> dict[str, Any]:
    """`last_wins`: a repeated key keeps its last value (HTML checkboxes after a hidden "false")."""
    if not raw:
        return {}
    _check_pairs(raw)
    try:
        decoded = qs.decode(raw, _LAST_WINS if last_wins else _OPTIONS)
    except (ValueError, IndexError) as exc:
        raise InvalidRequest(f"Invalid request parameters: {exc}", code="parameter_invalid_encoding") from exc
    return dict(decoded)


def check_json_nul(raw: bytes) -> None:
    if b"\\u0000" in raw:
        raise InvalidRequest(NUL_MESSAGE, code="parameter_invalid_string")


MAX_JSON_DEPTH = 20  # Stripe's deepest parameters nest five levels; hostile bodies nest thousands


def json_object(raw: bytes) -> dict[str, Any]:
    """A JSON body that must be an object, nested at most MAX_JSON_DEPTH levels, with no NUL."""
    try:
        parsed = json.loads(raw)
    except (ValueError, RecursionError) as exc:
        raise InvalidRequest("The body must be valid JSON.", code="parameter_invalid_encoding") from exc
    if not isinstance(parsed, dict):
        raise InvalidRequest("The body must be a JSON object.", code="parameter_invalid_encoding")
    if _depth(parsed) > MAX_JSON_DEPTH:
        raise InvalidRequest(
            f"The JSON body is nested more than {MAX_JSON_DEPTH} levels deep.", code="parameter_invalid_encoding"
        )
    check_json_nul(raw)
    return parsed


def _depth(value: Any) -> int:
    """How deep containers nest (iteratively: a deep value must not overflow the stack here)."""
    deepest, stack = 0, [(value, 1)]
    while stack:
        item, depth = stack.pop()
        if isinstance(item, dict | list):
            deepest = max(deepest, depth)
            if depth > MAX_JSON_DEPTH:
                return depth
            stack.extend((child, depth + 1) for child in (item.values() if isinstance(item, dict) else item))
    return deepest


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it passes `limit` bytes (never read whole first)."""
    declared = request.headers.get("content-length")
    if declared is not None and declared.isdigit() and int(declared) > limit:
        raise too_large(limit)
    chunks: list[bytes] = []
    size = 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large(limit)
        chunks.append(chunk)
    return b"".join(chunks)


def too_large(limit: int) -> RequestTooLarge:
    return RequestTooLarge(f"The request body is larger than the maximum of {limit} bytes.")


async def request_params(request: Request, limit: int) -> dict[str, Any]:
    """Query string plus body (form or JSON) as one nested dict of strings."""
    # The raw query string, not `request.url.query` (which builds and parses the whole URL).
    try:
        query = request.scope["query_string"].decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest("The query string is not valid UTF-8.", code="parameter_invalid_encoding") from exc
    params = decode_form(query)
    if request.method in ("GET", "HEAD"):
        return params
    body = await read_body(request, limit)
    if not body:
        return params
    ctype = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if ctype == "application/json":
        params.update(json_object(body))
        return params
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InvalidRequest("The body is not valid UTF-8.", code="parameter_invalid_encoding") from exc
    params.update(decode_form(text))
    return params
