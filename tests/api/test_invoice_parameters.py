"""Invoice parameters beyond the money ones, each with its effect
(https://docs.stripe.com/api/invoices/create): a chosen `number`, `default_payment_method` charged
before the customer's, `effective_at`, the merchant's `account_tax_ids`, `payment_settings`,
`shipping_details` and the PDF's page size from `rendering`; `due_date` as a list filter; and the
customer's `next_invoice_sequence`."""

from __future__ import annotations

from typing import Any

import httpx

from tests.factories import customer, post


async def _draft(client: httpx.AsyncClient, cust: dict[str, Any], **extra: Any) -> dict[str, Any]:
    inv = await post(client, "/v1/invoices", customer=cust["id"], currency="usd", **extra)
    await post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 900})
    return inv


async def test_a_chosen_number_and_payment_method_and_the_shown_details(client: httpx.AsyncClient) -> None:
    cust = await customer(client)
    # The customer's default card pays; the invoice's own (a card whose every charge fails) is tried first.
    second = await post(client, "/v1/payment_methods/pm_card_chargeCustomerFail/attach", customer=cust["id"])
    own = await post(client, "/v1/tax_ids", type="gb_vat", value="GB123456789")
    inv = await _draft(
        client,
        cust,
        number="INV-2026-7",
        default_payment_method=second["id"],
        effective_at=1_790_000_000,
        **{
            "account_tax_ids[0]": own["id"],
            "payment_settings[payment_method_types][0]": "card",
            "shipping_details[name]": "Jenny Rosen",
            "shipping_details[address][line1]": "1 Main St",
            "shipping_details[address][country]": "US",
            "rendering[pdf][page_size]": "letter",
        },
    )
    assert (inv["number"], inv["default_payment_method"], inv["effective_at"]) == (
        "INV-2026-7",
        second["id"],
        1_790_000_000,
    )
    assert inv["account_tax_ids"] == [own["id"]] and inv["payment_settings"]["payment_method_types"] == ["card"]
    assert inv["shipping_details"]["name"] == "Jenny Rosen" and inv["rendering"]["pdf"] == {"page_size": "letter"}
    declined = await client.post(f"/v1/invoices/{inv['id']}/pay")
    assert declined.status_code == 402
    paid = (await client.get(f"/v1/invoices/{inv['id']}")).json()
    assert paid["number"] == "INV-2026-7" and paid["status"] == "open"
    expanded = (await client.get(f"/v1/invoices/{inv['id']}", params={"expand[]": "default_payment_method"})).json()
    assert expanded["default_payment_method"]["id"] == second["id"]
    taken = await client.post("/v1/invoices", data={"customer": cust["id"], "number": "INV-2026-7"})
    assert taken.status_code == 400 and taken.json()["error"]["param"] == "number"
    pdf = await client.get(f"{paid['invoice_pdf']}".replace("http://portal.test", ""))
    assert pdf.status_code == 200 and b"/MediaBox [0 0 612.00 792.00]" in pdf.content


async def test_due_date_filters_and_next_invoice_sequence_numbers(client: httpx.AsyncClient) -> None:
    cust = await customer(client, invoice_prefix="SEQ", next_invoice_sequence=41)
    assert cust["next_invoice_sequence"] == 41
    inv = await _draft(client, cust, collection_method="send_invoice", due_date=1_800_000_000)
    assert (await post(client, f"/v1/invoices/{inv['id']}/finalize"))["number"] == "SEQ-0041"
    assert (await client.get(f"/v1/customers/{cust['id']}")).json()["next_invoice_sequence"] == 42
    back = await client.post(f"/v1/customers/{cust['id']}", data={"next_invoice_sequence": 10})
    assert back.status_code == 400 and back.json()["error"]["param"] == "next_invoice_sequence"
    later = await client.get("/v1/invoices", params={"due_date[gte]": 1_800_000_000})
    assert [i["id"] for i in later.json()["data"]] == [inv["id"]]
    assert (await client.get("/v1/invoices", params={"due_date[lt]": 1_800_000_000})).json()["data"] == []
