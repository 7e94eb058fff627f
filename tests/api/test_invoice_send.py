"""POST /v1/invoices/{id}/send (https://docs.stripe.com/api/invoices/send): a finalized
`send_invoice` invoice is mailed to its customer (through a real SMTP server), in their language,
with `invoice.sent`; what cannot be sent is refused and nothing is recorded."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest

from app.clock import FixedClock
from app.main import create_app
from app.services import accounts as account_service
from app.settings import Settings
from tests.factories import events, post
from tests.mailbox import Mailbox, serve_mailbox, text_of


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from serve_mailbox()


@pytest.fixture
async def merchant(database_url: str, clock: FixedClock, mailbox: Mailbox) -> AsyncIterator[httpx.AsyncClient]:
    settings = Settings(database_url=database_url, base_url="http://portal.test", smtp_url=mailbox.url)
    application: Any = create_app(settings, clock)
    async with application.state.portal.db.transaction() as uow:
        new = await account_service.create(uow, clock, name="Sending Shop", billing=True)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(new.test_key, "")) as c:
        yield c
    await application.state.portal.db.dispose()


async def _open_invoice(client: httpx.AsyncClient, **customer: Any) -> dict[str, Any]:
    cust = await post(client, "/v1/customers", **customer)
    inv = await post(
        client, "/v1/invoices", customer=cust["id"], currency="usd", collection_method="send_invoice", days_until_due=14
    )
    await post(client, f"/v1/invoices/{inv['id']}/add_lines", **{"lines[0][amount]": 1250})
    return await post(client, f"/v1/invoices/{inv['id']}/finalize")


async def test_a_sent_invoice_is_mailed_in_the_customers_language(
    merchant: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    inv = await _open_invoice(merchant, email="kund@example.se", **{"preferred_locales[0]": "sv-SE"})
    sent = await post(merchant, f"/v1/invoices/{inv['id']}/send")
    assert sent["id"] == inv["id"] and sent["status"] == "open"
    [mail] = mailbox.wait_for("kund@example.se")
    body = text_of(mail)
    assert inv["number"] in mail["Subject"] and "Sending Shop" in mail["Subject"]
    assert "12,50\xa0US$" in body and inv["hosted_invoice_url"] in body and "Att betala" in body
    assert [e["data"]["object"]["id"] for e in await events(merchant, "invoice.sent")] == [inv["id"]]


async def test_what_cannot_be_sent_is_refused_and_records_nothing(merchant: httpx.AsyncClient) -> None:
    cust = await post(merchant, "/v1/customers", email="a@example.com")
    draft = await post(
        merchant,
        "/v1/invoices",
        customer=cust["id"],
        currency="usd",
        collection_method="send_invoice",
        days_until_due=3,
    )
    r = await merchant.post(f"/v1/invoices/{draft['id']}/send")
    assert r.status_code == 400 and r.json()["error"]["code"] == "invoice_not_open"
    charged = await post(merchant, "/v1/invoices", customer=cust["id"], currency="usd")
    r = await merchant.post(f"/v1/invoices/{charged['id']}/send")
    assert r.status_code == 400 and "send_invoice" in r.json()["error"]["message"]
    no_email = await _open_invoice(merchant)
    r = await merchant.post(f"/v1/invoices/{no_email['id']}/send")
    assert r.status_code == 400 and "email" in r.json()["error"]["message"]
    assert await events(merchant, "invoice.sent") == []
