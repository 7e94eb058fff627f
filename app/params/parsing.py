"""Turn decoded parameters into a Params model, or into a Stripe-shaped 400 (never FastAPI's 422)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any, TypeVar

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from app.errors import InvalidRequest, ParameterMissing, ParameterUnknown, StripeError
from app.params.base import Params

P = TypeVar("P", bound=Params)

NUL_MESSAGE = "Parameters cannot contain the NUL character (\\u0000 or %00)."

_CODES = {
    "int_parsing": "parameter_invalid_integer",
    "int_type": "parameter_invalid_integer",
    "int_from_float": "parameter_invalid_integer",
    "bool_parsing": "parameter_invalid_boolean",
    "bool_type": "parameter_invalid_boolean",
    "string_type": "parameter_invalid_string",
    "string_too_long": "parameter_invalid_string",
    "string_too_short": "parameter_invalid_string_empty",
    "literal_error": "parameter_invalid_enum",
    "enum": "parameter_invalid_enum",
    "dict_type": "parameter_invalid_hash",
    "model_type": "parameter_invalid_hash",
    "model_attributes_type": "parameter_invalid_hash",
    "list_type": "parameter_invalid_array",
    "too_long": "parameter_invalid_array",
    "greater_than_equal": "parameter_invalid_integer",
    "less_than_equal": "parameter_invalid_integer",
    "greater_than": "parameter_invalid_integer",
    "less_than": "parameter_invalid_integer",
}


# Codes our own validators raise (PydanticCustomError types), passed through as Stripe codes.
_OWN_CODES = {"email_invalid", "url_invalid"}


def _refuse_nul(value: Any, loc: tuple[int | str, ...]) -> None:
    """No text with NUL gets in, on either database (PostgreSQL cannot store it; SQLite would)."""
    if isinstance(value, str):
        if "\x00" in value:
            raise InvalidRequest(NUL_MESSAGE, code="parameter_invalid_string", param=bracket(loc) or None)
    elif isinstance(value, dict):
        for key, item in value.items():
            _refuse_nul(item, (*loc, key))
    elif isinstance(value, list):
        for i, item in enumerate(value):
            _refuse_nul(item, (*loc, i))


def bracket(loc: tuple[int | str, ...]) -> str:
    """('items', 0, 'price') -> 'items[0][price]', the form the client sent."""
    if not loc:
        return ""
    head, *rest = loc
    return str(head) + "".join(f"[{part}]" for part in rest)


def _clean_loc(loc: tuple[int | str, ...], data: Any, *, missing: bool) -> tuple[int | str, ...]:
    """Keep the parts of pydantic's location that name parameters the client sent.

    Unions add their member names (`AddressParams`, `literal['']`, `constrained-str`) to the location;
    those are not in the input, so walking the input drops them. Only a missing parameter keeps a last
    part that is not in the input: its own name.
    """
    kept: list[int | str] = []
    current = data
    for i, part in enumerate(loc):
        if (isinstance(current, dict) and part in current) or (
            isinstance(current, list) and isinstance(part, int) and part < len(current)
        ):
            kept.append(part)
            current = current[part] if isinstance(current, dict) else current[int(part)]
        elif missing and i == len(loc) - 1:
            kept.append(part)
    return tuple(kept)


def _to_stripe(err: ErrorDetails, data: dict[str, Any]) -> StripeError:
    loc = _clean_loc(tuple(err["loc"]), data, missing=err["type"] == "missing")
    param = bracket(loc)
    kind = err["type"]
    if kind == "extra_forbidden":
        return ParameterUnknown(param)
    if kind == "missing":
        return ParameterMissing(param)
    if err.get("input") == "" and kind not in ("string_too_short",):
        return InvalidRequest(
            f"You passed an empty string for '{param}'. We assume empty values are an attempt to unset a "
            f"parameter; however '{param}' cannot be unset. You should remove '{param}' from your request "
            "or supply a non-empty value.",
            code="parameter_invalid_empty",
            param=param,
        )
    own = kind.startswith("parameter_") or kind in _OWN_CODES
    code = _CODES.get(kind, kind if own else "parameter_invalid_value")
    message = err["msg"]
    if kind in ("literal_error", "enum"):
        message = f"Invalid {param}: {err['msg'].lower()}"
    elif own:
        message = str(err["msg"])
    else:
        message = f"Invalid {param}: {message[0].lower()}{message[1:]}" if message else f"Invalid {param}"
    return InvalidRequest(message, code=code, param=param)


# Stripe's parameters per params model, from the pinned definition (tests/contract/parameters.py
# writes it; a test checks it is the definition's): one of them that a model lacks is refused as
# "not supported", not as unknown.
_STRIPE_PARAMETERS: dict[str, frozenset[str]] = {
    model: frozenset(names)
    for model, names in json.loads((Path(__file__).parent / "stripe_parameters.json").read_text())["parameters"].items()
}


def unsupported(model: type[Params], param: str) -> InvalidRequest | None:
    """The error for a top-level parameter Stripe has on this endpoint and this service does not."""
    if param in _STRIPE_PARAMETERS.get(model.__name__, frozenset()):
        return InvalidRequest(
            f"{param} is a parameter of Stripe's API that this service does not support; leave it out "
            "(see the README's list of what is not supported).",
            code="parameter_unsupported",
            param=param,
        )
    return None


def parse(model: type[P], data: dict[str, Any], *, strict: bool | None = None) -> P:
    """`data` as `model`, or the Stripe-shaped 400 for its first problem (never a ValidationError:
    every place that builds params from input, the API, the portal and the dashboard, comes here).
    `strict=False` lets form strings stand for numbers, as the API's forms do."""
    _refuse_nul(data, ())
    try:
        return model.model_validate(data, strict=strict)
    except ValidationError as exc:
        errors = exc.errors(include_url=False)
        # Report unknown parameters first: a typo'd name explains the other errors too.
        # The `literal['']` branch of an Emptyable union only ever says "not empty": least useful.
        errors.sort(
            key=lambda e: (e["type"] != "extra_forbidden", e["type"] != "missing", e["type"] == "literal_error")
        )
        first = errors[0]
        if first["type"] == "extra_forbidden" and len(first["loc"]) == 1:
            refused = unsupported(model, str(first["loc"][0]))
            if refused is not None:
                raise refused from None
        raise _to_stripe(first, data) from None
