"""Every payment method type of Stripe's definition can be created through the API (the portal
offers only R8's list): what `type[...]` sets shows on the object's `type` hash, a required
sub-parameter is required, one of no effect here is refused by name, and a hash of another type
than `type` is refused."""

from __future__ import annotations

import httpx
import pytest

from app.domain import payment_method_shapes
from tests.contract.payment_method_shapes import SHAPES, shapes
from tests.factories import post

# What each type with required sub-parameters needs.
REQUIRED = {
    "custom": {"custom[type]": "cpmt_123"},
    "fpx": {"fpx[bank]": "maybank2u"},
    "nz_bank_account": {
        "nz_bank_account[account_number]": "0012345",
        "nz_bank_account[bank_code]": "11",
        "nz_bank_account[branch_code]": "1111",
        "nz_bank_account[suffix]": "000",
    },
    "sofort": {"sofort[country]": "DE"},
}


def test_the_shapes_are_the_definitions() -> None:
    assert SHAPES.read_text().strip() == __import__("json").dumps(shapes(), indent=1, sort_keys=True)


@pytest.mark.parametrize("kind", sorted(payment_method_shapes.types()))
async def test_each_type_is_created_and_shows_its_hash(client: httpx.AsyncClient, kind: str) -> None:
    pm = await post(client, "/v1/payment_methods", type=kind, **REQUIRED.get(kind, {}))
    assert pm["type"] == kind and isinstance(pm[kind], dict)
    assert (await client.get(f"/v1/payment_methods/{pm['id']}")).json()[kind] == pm[kind]


async def test_sub_parameters_show_on_the_object(client: httpx.AsyncClient) -> None:
    klarna = await post(
        client,
        "/v1/payment_methods",
        type="klarna",
        **{"klarna[dob][day]": 1, "klarna[dob][month]": 2, "klarna[dob][year]": 1990},
    )
    assert klarna["klarna"]["dob"] == {"day": 1, "month": 2, "year": 1990}
    nz = await post(client, "/v1/payment_methods", type="nz_bank_account", **REQUIRED["nz_bank_account"])
    assert (nz["nz_bank_account"]["last4"], nz["nz_bank_account"]["bank_code"]) == ("2345", "11")
    assert "account_number" not in nz["nz_bank_account"]
    assert (await post(client, "/v1/payment_methods", type="naver_pay"))["naver_pay"]["funding"] == "card"
    assert (await post(client, "/v1/payment_methods", type="eps", **{"eps[bank]": "bank_austria"}))["eps"] == {
        "bank": "bank_austria"
    }


async def test_missing_unknown_unsupported_and_mismatched_hashes_are_refused(client: httpx.AsyncClient) -> None:
    missing = await client.post("/v1/payment_methods", data={"type": "fpx"})
    assert missing.json()["error"]["param"] == "fpx[bank]" and missing.json()["error"]["code"] == "parameter_missing"
    unknown = await client.post("/v1/payment_methods", data={"type": "pix", "pix[colour]": "x"})
    assert unknown.json()["error"]["param"] == "pix[colour]"
    unsupported = await client.post(
        "/v1/payment_methods",
        data={"type": "nz_bank_account", **REQUIRED["nz_bank_account"], "nz_bank_account[reference]": "r"},
    )
    assert unsupported.json()["error"]["code"] == "parameter_unsupported"
    other = await client.post("/v1/payment_methods", data={"type": "pix", "eps[bank]": "bank_austria"})
    assert other.status_code == 400 and other.json()["error"]["param"] == "eps"
    assert (await client.get("/v1/payment_methods", params={"type": "pix"})).json()["data"] == []
