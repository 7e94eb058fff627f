"""R7 in a real browser with a real SMTP server: the login page, the mail, the link, the portal."""

from __future__ import annotations

import re
from collections.abc import AsyncIterator, Iterator

import httpx
import pytest
from playwright.async_api import Page, expect

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from tests.browser.conftest import screenshot
from tests.conftest import LiveServer, serve
from tests.mailbox import Mailbox, serve_mailbox, text_of
from tests.portal import shop as s


@pytest.fixture(scope="module")
def mailbox() -> Iterator[Mailbox]:
    yield from serve_mailbox()


@pytest.fixture(scope="module")
def mail_server(database_url: str, mailbox: Mailbox, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from serve(database_url, tmp_path_factory.mktemp("mail-server"), SMTP_URL=mailbox.url)


@pytest.fixture
async def merchant(mail_server: LiveServer) -> AsyncIterator[httpx.AsyncClient]:
    db = Database(mail_server.database_url)
    async with db.transaction() as uow:
        new = await account_service.create(uow, SystemClock(), name="Login Browser Shop", billing=True)
    await db.dispose()
    async with httpx.AsyncClient(base_url=mail_server.base_url, auth=(new.test_key, ""), timeout=30) as client:
        yield client


async def test_r7_sign_in_by_mail_and_cancel(page: Page, merchant: httpx.AsyncClient, mailbox: Mailbox) -> None:
    """R7: enable the login page, open its URL, submit the email, follow the mailed link, manage the subscription."""
    shop = await s.shop(merchant, **{"login_page[enabled]": "true"})
    email = shop.customer["email"]
    await page.goto(shop.configuration["login_page"]["url"])
    await page.get_by_label("Email").fill(email)
    await page.get_by_role("button", name="Email me a sign-in link").click()
    await expect(page.get_by_test_id("sent")).to_contain_text(email)
    await screenshot(page, "login-check-mail")
    [mail] = mailbox.wait_for(email)
    link = re.search(r"(http://\S+/confirm/\S+)", text_of(mail))
    assert link
    await page.goto(link.group(1))
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_role("heading", name="Current subscription")).to_be_visible()
    await page.get_by_role("link", name="Cancel subscription").click()
    await page.get_by_role("button", name="Cancel subscription").click()
    await expect(page.get_by_role("button", name="Renew subscription")).to_be_visible()
    sub = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()
    assert sub["cancel_at_period_end"] is True
    await page.goto(link.group(1))  # used: no way back in through it
    await expect(page.get_by_role("alert")).to_contain_text("has been used or has expired")
