"""R20 in a real browser: a merchant signs in, turns on cancellation only, triggers the R13 error,
enables the login link and opens it, pauses and filters a subscription, exports the CSV, and
switches to live mode where no test data shows."""

from __future__ import annotations

import asyncio
import re
from collections.abc import AsyncIterator
from dataclasses import dataclass

import httpx
import pytest
from playwright.async_api import Page, expect

from app.clock import SystemClock
from app.services import accounts as account_service
from app.services import dashboard_users
from app.store.database import Database
from tests import factories as f
from tests.browser.conftest import screenshot
from tests.conftest import LiveServer

PASSWORD = "correct horse battery"


@dataclass
class Merchant:
    api: httpx.AsyncClient
    email: str


@pytest.fixture
async def merchant(live_server: LiveServer) -> AsyncIterator[Merchant]:
    db = Database(live_server.database_url)
    async with db.transaction() as uow:
        new = await account_service.create(uow, SystemClock(), name="Dashboard Shop", billing=True)
        email = f"owner-{new.account.id.lower()}@shop.example"
        await dashboard_users.create_user(uow, SystemClock(), account_id=new.account.id, email=email, password=PASSWORD)
    await db.dispose()
    async with httpx.AsyncClient(base_url=live_server.base_url, auth=(new.test_key, ""), timeout=30) as api:
        yield Merchant(api, email)


async def sign_in(page: Page, live_server: LiveServer, email: str) -> None:
    await page.goto(f"{live_server.base_url}/dashboard/")
    await page.get_by_label("Email").fill(email)
    await page.get_by_label("Password").fill(PASSWORD)
    await page.get_by_role("button", name="Sign in").click()
    await expect(page.get_by_role("heading", name=re.compile("Default configuration"))).to_be_visible()


async def test_r20_a_merchant_runs_the_portal_without_code(
    page: Page, merchant: Merchant, live_server: LiveServer
) -> None:
    api = merchant.api
    product = (await f.post(api, "/v1/products", name="Pro"))["id"]
    monthly = await f.price(api, product=product)
    twin = await f.price(api, product=product, amount=1200)
    sub = await f.subscription(api, price_id=monthly["id"])
    await sign_in(page, live_server, merchant.email)

    await page.get_by_label("Privacy policy URL").fill("https://shop.example/privacy")
    await page.get_by_label("Terms of service URL").fill("https://shop.example/terms")
    await page.get_by_label("Let customers cancel subscriptions").check()
    await page.get_by_role("button", name="Save").first.click()
    [config] = (await api.get("/v1/billing_portal/configurations")).json()["data"]
    assert config["features"]["subscription_cancel"]["enabled"] is True
    assert config["features"]["subscription_update"]["enabled"] is False  # cancellation only (R5)
    await screenshot(page, "dashboard-portal")

    await page.locator(f"[data-price='{monthly['id']}']").check()
    await page.locator(f"[data-price='{twin['id']}']").check()
    await page.get_by_role("button", name="Save").first.click()
    alert = page.get_by_role("alert")
    await expect(alert).to_contain_text(monthly["id"])
    await expect(alert).to_contain_text(twin["id"])  # R13 names both prices

    await page.get_by_role("button", name="Turn on the login link").click()
    url = await page.get_by_test_id("login-url").input_value()
    assert url.startswith(live_server.base_url + "/p/login/")
    login = await page.context.new_page()
    await login.goto(url)
    await expect(login.get_by_role("button", name="Email me a sign-in link")).to_be_visible()
    await login.close()

    await page.goto(f"{live_server.base_url}/dashboard/subscriptions/{sub['id']}")
    await page.get_by_label("Invoices while paused").select_option("void")
    await page.get_by_role("button", name="Pause payment collection").click()
    await expect(page.get_by_test_id("paused")).to_be_visible()
    await expect(page.get_by_test_id("status")).to_have_text("Active")  # R15: the status stays

    await page.get_by_role("link", name="Subscriptions").click()
    await page.get_by_label("Collection paused").check()
    await page.get_by_role("button", name="Filter").click()
    await expect(page.get_by_test_id("subscriptions").locator("tbody tr")).to_have_count(1)
    async with page.expect_download() as download_info:
        await page.get_by_test_id("export").click()
    download = await download_info.value
    path = await download.path()
    content = await asyncio.to_thread(path.read_text)
    assert sub["id"] in content and "true" in content
    await screenshot(page, "dashboard-subscriptions")

    await page.get_by_role("button", name="Switch to live mode").click()
    await expect(page.get_by_test_id("mode")).to_have_text("Live mode")
    await page.goto(f"{live_server.base_url}/dashboard/subscriptions")
    await expect(page.get_by_text(sub["id"])).to_have_count(0)


async def test_r20_signed_out_and_swedish(page: Page, merchant: Merchant, live_server: LiveServer) -> None:
    await page.goto(f"{live_server.base_url}/dashboard/subscriptions")
    await expect(page.get_by_role("heading", name="Sign in")).to_be_visible()
    await sign_in(page, live_server, merchant.email)
    await page.get_by_role("button", name="Svenska").click()
    await expect(page.get_by_role("heading", name=re.compile("Standardkonfiguration"))).to_be_visible()
    await screenshot(page, "dashboard-sv")
