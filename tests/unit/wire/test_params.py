"""Validation failures become Stripe's error codes with the parameter in bracket form."""

from __future__ import annotations

import pytest

from app.errors import StripeError
from app.params.customers import CustomerCreateParams, CustomerListParams, CustomerUpdateParams
from app.params.parsing import parse


def _error(model: type, data: dict[str, object]) -> StripeError:
    with pytest.raises(StripeError) as info:
        parse(model, data)
    return info.value


def test_unknown_parameter_names_it_in_bracket_form() -> None:
    err = _error(CustomerCreateParams, {"address": {"city": "Lund", "planet": "Mars"}})
    assert (err.code, err.param, err.status) == ("parameter_unknown", "address[planet]", 400)
    assert err.message == "Received unknown parameter: address[planet]"


def test_unknown_parameter_is_reported_before_other_errors() -> None:
    err = _error(CustomerCreateParams, {"balance": "x", "colour": "red"})
    assert (err.code, err.param) == ("parameter_unknown", "colour")


def test_missing_nested_required_parameter() -> None:
    err = _error(CustomerCreateParams, {"shipping": {"address": {"city": "Lund"}}})
    assert (err.code, err.param) == ("parameter_missing", "shipping[name]")


def test_wrong_types() -> None:
    assert _error(CustomerCreateParams, {"balance": "ten"}).code == "parameter_invalid_integer"
    assert _error(CustomerListParams, {"limit": "0"}).param == "limit"
    assert _error(CustomerListParams, {"limit": "101"}).code == "parameter_invalid_integer"
    assert _error(CustomerCreateParams, {"address": "Lund"}).code == "parameter_invalid_hash"
    assert _error(CustomerCreateParams, {"email": "not-an-email"}).code == "email_invalid"


def test_empty_string_unsets_only_where_stripe_allows_it() -> None:
    assert parse(CustomerUpdateParams, {"email": ""}).email == ""
    err = _error(CustomerCreateParams, {"balance": ""})
    assert (err.code, err.param) == ("parameter_invalid_empty", "balance")


def test_strings_over_5000_characters_are_refused() -> None:
    err = _error(CustomerCreateParams, {"description": "x" * 5001})
    assert (err.code, err.param) == ("parameter_invalid_string", "description")


@pytest.mark.parametrize(
    ("metadata", "fragment"),
    [
        ({f"k{i}": "v" for i in range(51)}, "at most 50 keys"),
        ({"k" * 41: "v"}, "at most 40 characters"),
        ({"k": "v" * 501}, "at most 500 characters"),
    ],
)
def test_metadata_limits(metadata: dict[str, str], fragment: str) -> None:
    err = _error(CustomerCreateParams, {"metadata": metadata})
    assert err.param is not None and err.param.startswith("metadata")
    assert fragment in err.message
