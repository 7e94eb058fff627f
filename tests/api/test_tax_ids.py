"""Tax IDs (https://docs.stripe.com/api/tax_ids): a customer's, through /v1/customers/{id}/tax_ids,
`tax_id_data` on customer create and /v1/tax_ids; format checked, at most five a customer, with
their events; a finalized invoice keeps the customer's tax IDs as they were."""

from __future__ import annotations

import httpx

from tests.factories import customer, events, post


async def test_a_customer_tax_id_is_checked_stored_listed_and_deleted(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    vat = await post(client, f"/v1/customers/{cust['id']}/tax_ids", type="eu_vat", value="DE123456789")
    assert (vat["object"], vat["type"], vat["value"], vat["country"]) == ("tax_id", "eu_vat", "DE123456789", "DE")
    assert (
        vat["customer"] == cust["id"] and vat["owner"]["type"] == "customer" and vat["owner"]["customer"] == cust["id"]
    )
    assert vat["verification"]["status"] == "verified"
    listed = (await client.get(f"/v1/customers/{cust['id']}/tax_ids")).json()
    assert [t["id"] for t in listed["data"]] == [vat["id"]] and listed["url"] == f"/v1/customers/{cust['id']}/tax_ids"
    expanded = (await client.get(f"/v1/customers/{cust['id']}", params={"expand[]": "tax_ids"})).json()
    assert [t["value"] for t in expanded["tax_ids"]["data"]] == ["DE123456789"]
    assert "tax_ids" not in (await client.get(f"/v1/customers/{cust['id']}")).json()
    gone = await client.delete(f"/v1/customers/{cust['id']}/tax_ids/{vat['id']}")
    assert gone.json() == {"id": vat["id"], "object": "tax_id", "deleted": True}
    assert (await client.get(f"/v1/customers/{cust['id']}/tax_ids/{vat['id']}")).status_code == 404
    assert [e["data"]["object"]["id"] for e in await events(client, "customer.tax_id.created")] == [vat["id"]]
    assert [e["data"]["object"]["id"] for e in await events(client, "customer.tax_id.deleted")] == [vat["id"]]


async def test_a_value_of_the_wrong_format_or_an_unknown_type_is_refused_and_nothing_is_kept(
    client: httpx.AsyncClient,
) -> None:
    cust = await customer(client)
    bad = await client.post(f"/v1/customers/{cust['id']}/tax_ids", data={"type": "eu_vat", "value": "DE12"})
    error = bad.json()["error"]
    assert bad.status_code == 400 and (error["code"], error["param"]) == ("tax_id_invalid", "value")
    assert "eu_vat" in error["message"]
    kind = await client.post(f"/v1/customers/{cust['id']}/tax_ids", data={"type": "xx_vat", "value": "1"})
    assert kind.status_code == 400 and kind.json()["error"]["param"] == "type"
    assert (await client.get(f"/v1/customers/{cust['id']}/tax_ids")).json()["data"] == []


async def test_tax_id_data_on_create_and_the_limit_of_five(client: httpx.AsyncClient) -> None:
    data = {f"tax_id_data[{n}][type]": "us_ein" for n in range(5)}
    data |= {f"tax_id_data[{n}][value]": f"12-345678{n}" for n in range(5)}
    cust = await post(client, "/v1/customers", **data, **{"expand[]": "tax_ids"})
    assert [t["value"] for t in cust["tax_ids"]["data"]] == [f"12-345678{n}" for n in range(5)]
    sixth = await client.post(f"/v1/customers/{cust['id']}/tax_ids", data={"type": "us_ein", "value": "98-7654321"})
    assert sixth.status_code == 400
    bad = await client.post(
        "/v1/customers",
        data={"email": "x@y.se", "tax_id_data[0][type]": "gb_vat", "tax_id_data[0][value]": "DE123456789"},
    )
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "tax_id_data[0][value]"
    assert (await client.get("/v1/customers", params={"email": "x@y.se"})).json()["data"] == []


async def test_the_top_level_endpoint_holds_the_merchants_own_and_a_customers(client: httpx.AsyncClient) -> None:
    own = await post(client, "/v1/tax_ids", type="gb_vat", value="GB123456789")
    assert own["owner"]["type"] == "self" and own["customer"] is None
    cust = await customer(client)
    theirs = await post(
        client,
        "/v1/tax_ids",
        type="au_abn",
        value="12345678912",
        **{"owner[type]": "customer", "owner[customer]": cust["id"]},
    )
    assert theirs["customer"] == cust["id"]
    assert [t["id"] for t in (await client.get("/v1/tax_ids")).json()["data"]] == [own["id"]]
    mine = await client.get("/v1/tax_ids", params={"owner[type]": "customer", "owner[customer]": cust["id"]})
    assert [t["id"] for t in mine.json()["data"]] == [theirs["id"]]
    assert (await client.get(f"/v1/tax_ids/{theirs['id']}", params={"expand[]": "customer"})).json()["customer"][
        "id"
    ] == cust["id"]
    assert (await client.delete(f"/v1/tax_ids/{own['id']}")).json()["deleted"] is True


async def test_a_finalized_invoice_keeps_the_tax_ids_the_customer_had(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    vat = await post(client, f"/v1/customers/{cust['id']}/tax_ids", type="eu_vat", value="SE123456789123")
    draft = await post(client, "/v1/invoices", customer=cust["id"], currency="usd")
    assert draft["customer_tax_ids"] == [{"type": "eu_vat", "value": "SE123456789123"}]
    await post(client, f"/v1/invoices/{draft['id']}/add_lines", **{"lines[0][amount]": 700})
    await post(client, f"/v1/invoices/{draft['id']}/finalize")
    await client.delete(f"/v1/customers/{cust['id']}/tax_ids/{vat['id']}")
    kept = (await client.get(f"/v1/invoices/{draft['id']}")).json()
    assert kept["customer_tax_ids"] == [{"type": "eu_vat", "value": "SE123456789123"}]
    assert (await post(client, "/v1/invoices", customer=cust["id"], currency="usd"))["customer_tax_ids"] == []


async def test_the_merchants_tax_ids_expand_on_invoices_and_subscriptions(client: httpx.AsyncClient) -> None:
    own = await post(client, "/v1/tax_ids", type="eu_vat", value="DE123456789")
    cust = await customer(client)
    inv = await post(client, "/v1/invoices", customer=cust["id"], currency="usd", **{"account_tax_ids[0]": own["id"]})
    expanded = (await client.get(f"/v1/invoices/{inv['id']}", params={"expand[]": "account_tax_ids"})).json()
    assert [t["value"] for t in expanded["account_tax_ids"]] == ["DE123456789"]
    price = await post(
        client,
        "/v1/prices",
        currency="usd",
        unit_amount=500,
        **{"product_data[name]": "P", "recurring[interval]": "month"},
    )
    sub = await post(
        client,
        "/v1/subscriptions",
        customer=cust["id"],
        **{"items[0][price]": price["id"], "invoice_settings[account_tax_ids][0]": own["id"]},
    )
    got = (
        await client.get(f"/v1/subscriptions/{sub['id']}", params={"expand[]": "invoice_settings.account_tax_ids"})
    ).json()
    assert got["invoice_settings"]["account_tax_ids"][0]["id"] == own["id"]
