"""Invoice update and delete, product delete, and the customer's tax_exempt and invoice_prefix:
each honoured as Stripe does, with Stripe's refusals."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import customer, post, price


async def test_a_draft_updates_and_deletes_and_its_items_go_back_to_pending(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    draft = await post(client, "/v1/invoices", customer=cust["id"], currency="usd")
    item = await post(client, "/v1/invoiceitems", customer=cust["id"], invoice=draft["id"], amount=500)
    updated = await post(
        client, f"/v1/invoices/{draft['id']}", description="March", collection_method="send_invoice", days_until_due=14
    )
    assert (updated["description"], updated["collection_method"]) == ("March", "send_invoice")
    r = await client.delete(f"/v1/invoices/{draft['id']}")
    assert r.json() == {"id": draft["id"], "object": "invoice", "deleted": True}
    assert (await client.get(f"/v1/invoices/{draft['id']}")).status_code == 404
    assert (await client.get(f"/v1/invoiceitems/{item['id']}")).json()["invoice"] is None
    assert draft["id"] not in [i["id"] for i in (await client.get("/v1/invoices")).json()["data"]]


async def test_a_finalized_invoice_changes_only_its_metadata_and_is_not_deleted(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    inv = await post(client, "/v1/invoices", customer=cust["id"], currency="usd")
    await post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 700})
    await post(client, f"/v1/invoices/{inv['id']}/finalize")
    assert (await post(client, f"/v1/invoices/{inv['id']}", **{"metadata[ref]": "A1"}))["metadata"] == {"ref": "A1"}
    r = await client.post(f"/v1/invoices/{inv['id']}", data={"description": "late"})
    assert r.status_code == 400 and r.json()["error"]["param"] == "description"
    gone = await client.delete(f"/v1/invoices/{inv['id']}")
    assert gone.status_code == 400 and gone.json()["error"]["code"] == "invoice_not_editable"


async def test_a_product_without_prices_is_deleted_one_with_prices_is_not(client: httpx.AsyncClient) -> None:
    bare = await post(client, "/v1/products", name="Bare")
    r = await client.delete(f"/v1/products/{bare['id']}")
    assert r.json() == {"id": bare["id"], "object": "product", "deleted": True}
    assert (await client.get(f"/v1/products/{bare['id']}")).status_code == 404
    priced = await price(client)
    refused = await client.delete(f"/v1/products/{priced['product']}")
    assert refused.status_code == 400 and refused.json()["error"]["code"] == "product_has_prices"


async def test_tax_exempt_and_a_chosen_invoice_prefix(client: httpx.AsyncClient) -> None:
    cust = await customer(client, tax_exempt="reverse", invoice_prefix="ACME")
    assert (cust["tax_exempt"], cust["invoice_prefix"]) == ("reverse", "ACME")
    inv = await post(client, "/v1/invoices", customer=cust["id"], currency="usd")
    await post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 100})
    done = await post(client, f"/v1/invoices/{inv['id']}/finalize")
    assert done["number"] == "ACME-0001" and done["customer_tax_exempt"] == "reverse"
    bad = await client.post("/v1/customers", data={"invoice_prefix": "no"})
    assert bad.status_code == 400 and bad.json()["error"]["param"] == "invoice_prefix"
    assert (await post(client, f"/v1/customers/{cust['id']}", tax_exempt=""))["tax_exempt"] == "none"


async def test_invoice_footer_descriptor_custom_fields_and_due_date(client: httpx.AsyncClient) -> None:
    extra: dict[str, Any] = {"invoice_settings[footer]": "Thanks!", "business_name": "Acme AB"}
    cust = await customer(client, **extra)
    assert cust["business_name"] == "Acme AB"
    inv = await post(
        client,
        "/v1/invoices",
        customer=cust["id"],
        currency="usd",
        collection_method="send_invoice",
        due_date=1_900_000_000,
        statement_descriptor="ACME JAN",
        **{"custom_fields[0][name]": "PO", "custom_fields[0][value]": "4711"},
    )
    assert (inv["footer"], inv["statement_descriptor"], inv["due_date"]) == ("Thanks!", "ACME JAN", 1_900_000_000)
    assert inv["custom_fields"] == [{"name": "PO", "value": "4711"}]
    changed = await post(client, f"/v1/invoices/{inv['id']}", footer="", custom_fields="")
    assert (
        changed["footer"] is None and changed["custom_fields"] is None and changed["statement_descriptor"] == "ACME JAN"
    )
    await post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 100})
    assert (await post(client, f"/v1/invoices/{inv['id']}/finalize"))["due_date"] == 1_900_000_000
