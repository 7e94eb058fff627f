"""Request parameter models, named as stripe-python names them (`CustomerCreateParams`).

Values arrive as strings from forms; pydantic's lax mode turns "true"/"2" into bool/int.
Unknown keys are refused (extra="forbid" -> `parameter_unknown`).
"""

from __future__ import annotations

import re
from typing import Annotated, Literal, TypeVar

from pydantic import AfterValidator, BaseModel, BeforeValidator, ConfigDict, Field, StringConstraints
from pydantic_core import PydanticCustomError

T = TypeVar("T")

MAX_STRING = 5000

Str = Annotated[str, StringConstraints(max_length=MAX_STRING)]


def _form_bool(value: object) -> object:
    # Stripe takes `true` and `false` (stripe-python writes `True`/`False` inside arrays); pydantic's
    # lax mode would also read 0/1, yes/no, on/off and t/f, which Stripe refuses.
    if isinstance(value, bool):
        return value
    if isinstance(value, str) and value.lower() in ("true", "false"):
        return value.lower() == "true"
    raise PydanticCustomError(
        "bool_parsing", "Invalid boolean: {value}. Use true or false.", {"value": str(value)[:100]}
    )


Bool = Annotated[bool, BeforeValidator(_form_bool)]

_INTEGER = re.compile(r"-?[0-9]{1,40}")  # longer is out of every bound anyway


def _form_int(value: object) -> object:
    # Stripe reads `12`, not pydantic's lax `12.0` or ` 12 ` (found by schemathesis: created[lte]=0.0).
    if isinstance(value, str):
        if not _INTEGER.fullmatch(value):
            raise PydanticCustomError("int_parsing", "Invalid integer: {value}", {"value": value[:100]})
        return int(value)
    if isinstance(value, bool) or not isinstance(value, int):
        raise PydanticCustomError("int_type", "Invalid integer: {value}", {"value": str(value)[:100]})
    return value


Int = Annotated[int, BeforeValidator(_form_int)]
# Integers are bounded where they meet the database: an unbounded one overflows SQLite's and
# PostgreSQL's 64-bit integers (a 500), and no real amount, quantity or time comes near the bounds.
Timestamp = Annotated[
    int,
    BeforeValidator(_form_int),
    Field(ge=0, le=253_402_300_799, description="Unix time in seconds (up to year 9999)."),
]
Amount = Annotated[
    int, BeforeValidator(_form_int), Field(ge=0, le=999_999_999_999, description="In the currency's smallest unit.")
]
SignedAmount = Annotated[int, BeforeValidator(_form_int), Field(ge=-999_999_999_999, le=999_999_999_999)]
Quantity = Annotated[int, BeforeValidator(_form_int), Field(ge=0, le=1_000_000_000)]
Id = Annotated[str, StringConstraints(min_length=1, max_length=MAX_STRING)]
Empty = Literal[""]
# `param=""` is how Stripe clients say "unset this" (stripe-node sends null that way).
Emptyable = Annotated[T | Empty, "emptyable"]


def _check_metadata(value: dict[str, str]) -> dict[str, str]:
    if len(value) > 50:
        raise PydanticCustomError(
            "parameter_invalid_metadata", "Metadata can have at most 50 keys; you sent {n}.", {"n": len(value)}
        )
    for key, item in value.items():
        if len(key) > 40:
            raise PydanticCustomError(
                "parameter_invalid_metadata", "Metadata keys must be at most 40 characters: {key}", {"key": key}
            )
        if len(item) > 500:
            raise PydanticCustomError(
                "parameter_invalid_metadata",
                "Metadata values must be at most 500 characters (key {key}).",
                {"key": key},
            )
    return value


Metadata = Annotated[dict[str, str], AfterValidator(_check_metadata)]


class Params(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    def sent(self) -> set[str]:
        """The parameters the client actually sent (update changes only these)."""
        return set(self.model_fields_set)


class ExpandParams(Params):
    expand: list[Str] = Field(default_factory=list, description="Fields to expand (dot paths).")


class RetrieveParams(ExpandParams):
    pass


class RangeFilter(Params):
    gt: Timestamp | None = None
    gte: Timestamp | None = None
    lt: Timestamp | None = None
    lte: Timestamp | None = None

    def bounds(self) -> dict[str, int]:
        return {op: v for op, v in self.model_dump().items() if v is not None}


class ListParams(ExpandParams):
    limit: Int = Field(10, ge=1, le=100, description="How many objects to return, 1 to 100.")
    starting_after: Id | None = Field(None, description="Cursor: the id after which the page starts.")
    ending_before: Id | None = Field(None, description="Cursor: the id before which the page ends.")


def created_bounds(value: Timestamp | RangeFilter | None) -> dict[str, int] | None:
    if value is None:
        return None
    if isinstance(value, int):
        return {"eq": value}
    return value.bounds()
