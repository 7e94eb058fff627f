"""The smaller holes of the hostile-input issue, each closed and kept closed."""

from __future__ import annotations

import csv
import io
import re

import httpx
import pytest

from app.clock import FixedClock
from app.mail import Mail, _message
from app.scope import Scope
from app.services import dashboard_users
from app.store.database import Database
from tests import factories as f
from tests.conftest import Keys


async def test_csv_cells_that_a_spreadsheet_would_run_are_neutralized(client: httpx.AsyncClient) -> None:
    """OWASP CSV injection: a cell starting with = + - @ tab or CR gets a leading apostrophe."""
    emails = ["=1+1@evil.co", "+cmd@evil.co", "-2@evil.co", "plain@shop.example"]
    for email in emails:
        customer = await f.post(client, "/v1/customers", email=email)
        await f.subscription(client, customer_id=customer["id"], collection_method="send_invoice", days_until_due=3)
    r = await client.get("/v1/subscriptions/export.csv")
    rows = list(csv.DictReader(io.StringIO(r.text)))
    exported = sorted(row["customer_email"] for row in rows)
    assert exported == sorted(["'" + e for e in emails[:-1]] + ["plain@shop.example"])


def test_a_line_break_in_a_header_value_cannot_stop_or_forge_a_mail() -> None:
    message = _message(
        Mail(to="jenny@example.com", subject="Sign in to Shop\r\nBcc: victim@evil.co", text="t", html="<p>t</p>"),
        "Shop\r\nX-Evil: 1 <billing@shop.example>",
    )
    assert message["Subject"] == "Sign in to Shop Bcc: victim@evil.co"
    assert message["Bcc"] is None and message["X-Evil"] is None
    assert "\r" not in str(message["From"]) and "\n" not in str(message["From"])


@pytest.mark.parametrize("colour", ["#ffffff\n", "#fff\n", "\n#fff"])
async def test_a_colour_with_a_line_break_is_no_colour(client: httpx.AsyncClient, colour: str) -> None:
    r = await client.post("/v1/account", data={"settings[branding][primary_color]": colour})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_color")


async def test_login_matches_emails_with_non_ascii_capitals(
    client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """SQLite's lower() folds ASCII only: the normalized column is compared instead (R7)."""
    customer = await f.post(client, "/v1/customers", email="ÅSA.ÖBERG@Exempel.SE")
    async with db.uow(write=False) as uow:
        found = await uow.login_requests.candidates(Scope(keys.account_id, False), "åsa.öberg@exempel.se")
    assert [c[0] for c in found] == [customer["id"]]


async def test_a_detached_payment_method_cannot_be_attached_again(client: httpx.AsyncClient) -> None:
    customer = await f.customer(client)
    pm = await f.post(client, "/v1/payment_methods", type="card", **{"card[token]": "tok_visa"})
    await f.post(client, f"/v1/payment_methods/{pm['id']}/attach", customer=customer["id"])
    await f.post(client, f"/v1/payment_methods/{pm['id']}/detach")
    r = await client.post(f"/v1/payment_methods/{pm['id']}/attach", data={"customer": customer["id"]})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "payment_method_unexpected_state")
    assert (await client.get(f"/v1/payment_methods/{pm['id']}")).json()["customer"] is None


async def test_the_dashboard_shows_only_errors_it_produced(
    app: object, db: Database, clock: FixedClock, keys: Keys
) -> None:
    email = f"owner-{keys.account_id.lower()}@shop.example"
    async with db.transaction() as uow:
        await dashboard_users.create_user(uow, clock, account_id=keys.account_id, email=email, password="x" * 12)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as dash:
        page = await dash.get("/dashboard/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        await dash.post("/dashboard/login", data={"email": email, "password": "x" * 12, "csrf_token": token.group(1)})
        phish = "Your account is locked. Call +1 555 0100 to unlock it."
        r = await dash.get("/dashboard/", params={"error": phish})
        assert r.status_code == 200 and "Call +1 555" not in r.text
        r = await dash.get("/dashboard/branding", params={"error": phish, "seal": "0" * 32})
        assert "Call +1 555" not in r.text


@pytest.mark.parametrize("text", ["=HYPERLINK(1)", "+1", "-1", "@A1", "\tx", "\rx"])
def test_every_formula_start_is_neutralized(text: str) -> None:
    from app.services.subscription_export import cell

    assert cell(text) == "'" + text and cell("ok " + text) == "ok " + text
