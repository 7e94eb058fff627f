"""R20: the merchant dashboard through HTTP: sign-in, the default configuration, the login link,
branding, subscriptions (pause, resume, filter, export) and the mode switch."""

from __future__ import annotations

import csv
import io
import re
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

import httpx
import pytest

from app.clock import FixedClock
from app.services import accounts as account_service
from app.services import dashboard_users
from app.store.database import Database
from tests import factories as f
from tests.conftest import Keys
from tests.portal import shop as s

PASSWORD = "correct horse battery"


@pytest.fixture
async def user(db: Database, clock: FixedClock, keys: Keys) -> str:
    async with db.transaction() as uow:
        created = await dashboard_users.create_user(
            uow, clock, account_id=keys.account_id, email=f"owner-{keys.account_id}@shop.example", password=PASSWORD
        )
    return created.email


@pytest.fixture
async def dash(app: object) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test") as c:
        yield c


async def sign_in(dash: httpx.AsyncClient, email: str, password: str = PASSWORD) -> httpx.Response:
    page = await dash.get("/dashboard/login")
    token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert token
    return await dash.post(
        "/dashboard/login", data={"email": email, "password": password, "csrf_token": token.group(1)}
    )


def csrf_of(html: str) -> str:
    token = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert token
    return token.group(1)


async def post(dash: httpx.AsyncClient, path: str, data: dict[str, Any] | list[tuple[str, str]]) -> httpx.Response:
    page = await dash.get("/dashboard/")
    pairs = list(data.items()) if isinstance(data, dict) else list(data)
    body = urlencode([*pairs, ("csrf_token", csrf_of(page.text))])
    return await dash.post(path, content=body, headers={"Content-Type": "application/x-www-form-urlencoded"})


def error_of(response: httpx.Response) -> str | None:
    found: list[str] = parse_qs(urlsplit(response.headers.get("location", "")).query).get("error", [])
    return found[0] if found else None


def portal_form(product: str, prices: list[str], **extra: str) -> list[tuple[str, str]]:
    form = [
        ("business_profile[privacy_policy_url]", "https://shop.example/privacy"),
        ("business_profile[terms_of_service_url]", "https://shop.example/terms"),
        ("business_profile[headline]", "Your plan"),
        ("default_return_url", "https://shop.example/account"),
        ("features[subscription_cancel][enabled]", "false"),
        ("features[subscription_cancel][enabled]", "true"),
        ("features[subscription_cancel][mode]", "at_period_end"),
        ("features[subscription_update][enabled]", "false"),
        ("features[subscription_update][enabled]", "true"),
        ("features[subscription_update][default_allowed_updates][]", "price"),
        ("features[subscription_update][products][0][product]", product),
        ("features[invoice_history][enabled]", "false"),
        ("features[payment_method_update][enabled]", "false"),
        ("features[customer_update][enabled]", "false"),
    ]
    form += [("features[subscription_update][products][0][prices][]", p) for p in prices]
    form += list(extra.items())
    return form


async def test_r20_sign_in_limits_and_sign_out(dash: httpx.AsyncClient, user: str) -> None:
    """R20: hashed passwords, a bounded number of failures, sessions in an HttpOnly cookie."""
    assert (await dash.get("/dashboard/")).headers["location"] == "/dashboard/login"
    assert (await sign_in(dash, user, "wrong password")).status_code == 401
    ok = await sign_in(dash, user)
    assert ok.status_code == 303 and "httponly" in ok.headers["set-cookie"].lower()
    home = await dash.get("/dashboard/")
    assert home.status_code == 200 and home.headers["x-frame-options"] == "DENY"
    await post(dash, "/dashboard/logout", {})
    assert (await dash.get("/dashboard/")).status_code == 303
    for _ in range(5):
        await sign_in(dash, user, "wrong again")
    assert (await sign_in(dash, user)).status_code == 401  # locked out for a while, even with the right one


async def test_r20_r10_default_configuration_editor(
    dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient
) -> None:
    """R20/R10: the dashboard edits the default configuration through the API's rules; others are read-only."""
    await sign_in(dash, user)
    product = (await f.post(client, "/v1/products", name="Pro"))["id"]
    monthly = await f.price(client, product=product)
    twin = await f.price(client, product=product, amount=1200)
    yearly = await f.price(client, product=product, interval="year")
    r = await post(dash, "/dashboard/portal", portal_form(product, [monthly["id"], yearly["id"]]))
    assert error_of(r) is None, error_of(r)
    assert 'data-testid="saved"' in (await dash.get(r.headers["location"])).text
    [config] = (await client.get("/v1/billing_portal/configurations")).json()["data"]
    assert config["is_default"] and config["features"]["subscription_cancel"]["enabled"] is True
    assert config["features"]["subscription_update"]["products"][0]["prices"] == [monthly["id"], yearly["id"]]
    assert config["business_profile"]["headline"] == "Your plan"
    # R5 from the dashboard: cancellation only.
    cancel_only = [p for p in portal_form(product, []) if p != ("features[subscription_update][enabled]", "true")]
    assert error_of(await post(dash, "/dashboard/portal", cancel_only)) is None
    config = (await client.get(f"/v1/billing_portal/configurations/{config['id']}")).json()
    assert (
        config["features"]["subscription_update"]["enabled"],
        config["features"]["subscription_cancel"]["enabled"],
    ) == (False, True)
    # R13: the same product twice at one interval and currency: refused, naming both prices.
    error = error_of(await post(dash, "/dashboard/portal", portal_form(product, [monthly["id"], twin["id"]])))
    assert error and monthly["id"] in error and twin["id"] in error
    # R6: the legal links stay required.
    no_terms = [p for p in portal_form(product, []) if not p[0].startswith("business_profile[terms")]
    no_terms.append(("business_profile[terms_of_service_url]", ""))
    assert "terms_of_service_url" in (error_of(await post(dash, "/dashboard/portal", no_terms)) or "")
    other = await f.post(
        client, "/v1/billing_portal/configurations", **s.LEGAL, **{"features[invoice_history][enabled]": "true"}
    )
    page = (await dash.get("/dashboard/")).text
    assert other["id"] in page and "managed through the API" in page
    assert len(await f.events(client, "billing_portal.configuration.updated")) >= 1


async def test_r20_r7_login_link(dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient) -> None:
    """R20/R7: turn on the login link and copy its URL."""
    await sign_in(dash, user)
    product = (await f.post(client, "/v1/products", name="Pro"))["id"]
    monthly = await f.price(client, product=product)
    await post(dash, "/dashboard/portal", portal_form(product, [monthly["id"]]))
    await post(dash, "/dashboard/portal/login-page", {"enabled": "true"})
    [config] = (await client.get("/v1/billing_portal/configurations")).json()["data"]
    assert config["login_page"]["enabled"] is True
    assert config["login_page"]["url"] in (await dash.get("/dashboard/")).text
    assert (await dash.get(urlsplit(config["login_page"]["url"]).path)).status_code == 200


async def test_r20_r11_r12_branding_and_domain(
    dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient, live_client: httpx.AsyncClient
) -> None:
    await sign_in(dash, user)
    refused = await post(dash, "/dashboard/branding", {"settings[portal][custom_domain]": "billing.shop.example"})
    assert "live-mode key" in (error_of(refused) or "")  # test mode: the domain moves live links too
    await post(dash, "/dashboard/mode", {"mode": "live", "next": "/dashboard/branding"})
    r = await post(
        dash,
        "/dashboard/branding",
        {
            "settings[branding][primary_color]": "#5b2a86",
            "business_profile[name]": "Shop AB",
            "settings[portal][custom_domain]": "billing.shop.example",
        },
    )
    assert error_of(r) is None
    account = (await live_client.get("/v1/account")).json()
    assert account["settings"]["branding"]["primary_color"] == "#5b2a86"
    assert account["settings"]["portal"]["custom_domain"] == "billing.shop.example"
    assert account["settings"]["portal"]["custom_domain_verification"]["status"] == "pending"
    del client
    bad = await post(dash, "/dashboard/branding", {"settings[portal][custom_domain]": "not a host"})
    assert "not a valid host name" in (error_of(bad) or "")


async def test_r20_r15_r16_pause_filter_export_resume(
    dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient
) -> None:
    """R15: pause and resume collection from the dashboard; R16: the "collection paused" filter and its CSV."""
    await sign_in(dash, user)
    paused, running = await f.subscription(client), await f.subscription(client)
    r = await post(
        dash,
        f"/dashboard/subscriptions/{paused['id']}/pause",
        {"behavior": "mark_uncollectible", "resumes_at": "2027-01-31"},
    )
    assert error_of(r) is None, error_of(r)
    api = (await client.get(f"/v1/subscriptions/{paused['id']}")).json()
    assert api["status"] == "active" and api["pause_collection"]["behavior"] == "mark_uncollectible"
    assert api["pause_collection"]["resumes_at"] == 1801353600  # 2027-01-31T00:00:00Z
    listing = (await dash.get("/dashboard/subscriptions", params={"collection_paused": "true"})).text
    assert paused["id"] in listing and running["id"] not in listing
    export = await dash.get("/dashboard/subscriptions/export.csv", params={"collection_paused": "true"})
    rows = list(csv.DictReader(io.StringIO(export.text)))
    assert [row["id"] for row in rows] == [paused["id"]]
    by_email = (await dash.get("/dashboard/subscriptions", params={"customer_email": "C@EXAMPLE.COM"})).text
    assert paused["id"] in by_email and running["id"] in by_email
    await post(dash, f"/dashboard/subscriptions/{paused['id']}/resume", {})
    assert (await client.get(f"/v1/subscriptions/{paused['id']}")).json()["pause_collection"] is None
    assert len(await f.events(client, "customer.subscription.updated")) == 2  # R18: one per change


async def test_r20_r2_mode_switch_and_accounts_stay_apart(
    dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    """R2: live mode shows no test data; another account's objects are not found."""
    await sign_in(dash, user)
    mine = await f.subscription(client)
    theirs = await f.subscription(other_client)
    assert mine["id"] in (await dash.get("/dashboard/subscriptions")).text
    assert (await dash.get(f"/dashboard/subscriptions/{theirs['id']}")).status_code == 404
    await post(dash, "/dashboard/mode", {"mode": "live"})
    live = (await dash.get("/dashboard/subscriptions")).text
    assert mine["id"] not in live and "Live mode" in live
    assert (await dash.get(f"/dashboard/subscriptions/{mine['id']}")).status_code == 404


async def test_r19_live_portal_needs_paid_billing(dash: httpx.AsyncClient, db: Database, clock: FixedClock) -> None:
    """R19: without paid Billing, the live-mode portal settings say so and saving is refused."""
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="free", billing=False)
        await dashboard_users.create_user(
            uow, clock, account_id=new.account.id, email="free@shop.example", password=PASSWORD
        )
    await sign_in(dash, "free@shop.example")
    await post(dash, "/dashboard/mode", {"mode": "live"})
    assert "needs paid Billing" in (await dash.get("/dashboard/")).text
    r = await post(dash, "/dashboard/portal", portal_form("prod_x", []))
    assert "paid Billing" in (error_of(r) or "")


async def test_forged_forms_change_nothing(dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient) -> None:
    await sign_in(dash, user)
    sub = await f.subscription(client)
    r = await dash.post(
        f"/dashboard/subscriptions/{sub['id']}/pause", data={"behavior": "void", "csrf_token": "forged"}
    )
    assert r.status_code == 403
    assert (await client.get(f"/v1/subscriptions/{sub['id']}")).json()["pause_collection"] is None


async def test_the_retry_schedule_and_what_follows_it_are_set_in_the_dashboard(
    dash: httpx.AsyncClient, user: str, client: httpx.AsyncClient
) -> None:
    """Issue 19: the account's revenue recovery, settable in the dashboard as through /v1/account."""
    await sign_in(dash, user)
    shown = await dash.get("/dashboard/revenue-recovery")
    assert 'value="8"' in shown.text and 'value="14"' in shown.text  # Stripe's defaults
    saved = await post(
        dash,
        "/dashboard/revenue-recovery",
        {
            "settings[revenue_recovery][attempts]": "4",
            "settings[revenue_recovery][window_days]": "7",
            "settings[revenue_recovery][after_retries]": "unpaid",
        },
    )
    assert error_of(saved) is None
    account = (await client.get("/v1/account")).json()
    assert account["settings"]["revenue_recovery"] == {"attempts": 4, "window_days": 7, "after_retries": "unpaid"}
    bad = await post(dash, "/dashboard/revenue-recovery", {"settings[revenue_recovery][attempts]": "zero"})
    assert error_of(bad) is not None
    assert (await client.get("/v1/account")).json()["settings"]["revenue_recovery"]["attempts"] == 4
