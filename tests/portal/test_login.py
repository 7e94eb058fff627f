"""R7: the no-code login page, its mail (through a real SMTP server), links and codes."""

from __future__ import annotations

import asyncio
import re
import secrets
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
from sqlalchemy import select

from app.clock import FixedClock
from app.main import create_app
from app.services import accounts as account_service
from app.settings import Settings
from app.store.models import PortalSession
from tests import factories as f
from tests.mailbox import Mailbox, serve_mailbox, text_of
from tests.portal import shop as s


@pytest.fixture
def mailbox() -> Iterator[Mailbox]:
    yield from serve_mailbox()


@pytest.fixture
async def mail_app(database_url: str, clock: FixedClock, mailbox: Mailbox) -> AsyncIterator[Any]:
    settings = Settings(
        database_url=database_url,
        base_url="http://portal.test",
        key_cache_seconds=0,
        smtp_url=mailbox.url,
        login_mails_per_email_per_hour=3,
        login_requests_per_address_per_hour=50,
    )
    application = create_app(settings, clock)
    yield application
    await application.state.portal.db.dispose()


@pytest.fixture
async def merchant(mail_app: Any, clock: FixedClock) -> AsyncIterator[httpx.AsyncClient]:
    async with mail_app.state.portal.db.transaction() as uow:
        new = await account_service.create(uow, clock, name="Login Shop", billing=True)
    transport = httpx.ASGITransport(app=mail_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(new.test_key, "")) as c:
        c.headers["X-Live-Key"] = new.live_key  # handed to tests that need the live side
        yield c


def browser_for(app: Any) -> httpx.AsyncClient:
    """A visitor from an address of its own: the session's database keeps every test's login
    requests, and R7's per-address limit would otherwise count other tests' visits against this one."""
    address = f"2001:db8:7::{secrets.token_hex(2)}:{secrets.token_hex(2)}"
    transport = httpx.ASGITransport(app=app, client=(address, 50000))
    return httpx.AsyncClient(transport=transport, base_url="http://portal.test")


async def login_shop(merchant: httpx.AsyncClient) -> tuple[s.Shop, str]:
    shop = await s.shop(merchant, **{"login_page[enabled]": "true"})
    return shop, s.path(shop.configuration["login_page"]["url"])


async def ask(browser: httpx.AsyncClient, path: str, email: str, **headers: str) -> httpx.Response:
    page = await browser.get(path)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
    assert csrf, page.text
    return await browser.post(path, data={"email": email, "csrf_token": csrf.group(1)}, headers=headers)


def link_and_code(message: Any) -> tuple[str, str]:
    text = text_of(message)
    link = re.search(r"(http://\S+/confirm/\S+)", text)
    code = re.search(r"\b(\d{6})\b", text)
    assert link and code, text
    return link.group(1), code.group(1)


async def test_r7_mail_link_signs_in_once(mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox) -> None:
    """R7: the emailed one-time link opens a portal session for the customer with that email."""
    shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        page = await browser.get(path, params={"prefilled_email": "jenny@example.com"})
        assert page.status_code == 200 and 'value="jenny@example.com"' in page.text
        r = await ask(browser, path, "Jenny@Example.com")
        assert r.status_code == 200 and "Check your email" in r.text
    [mail] = mailbox.wait_for("jenny@example.com")
    link, _code = link_and_code(mail)
    assert link.startswith(f"http://portal.test{path}/confirm/")
    async with browser_for(mail_app) as phone:
        confirm = await phone.get(s.path(link))  # a mail scanner may fetch this; it burns nothing
        assert confirm.status_code == 200
        confirm = await phone.get(s.path(link))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', confirm.text)
        assert csrf
        signed = await phone.post(s.path(link), data={"csrf_token": csrf.group(1)})
        assert (signed.status_code, signed.headers["location"]) == (303, "/p/")
        overview = (await phone.get("/p/api/overview")).json()
        assert overview["customer"]["id"] == shop.customer["id"]
        assert overview["session"]["return_url"] == "https://shop.example/account"
        again = await phone.post(s.path(link), data={"csrf_token": csrf.group(1)})
        assert again.status_code == 410
    # R1: the portal session the link opened is stored as used, as one opened by its URL is.
    async with mail_app.state.portal.db.uow(write=False) as uow:
        session = await uow.session.scalar(select(PortalSession).where(PortalSession.id == overview["session"]["id"]))
    assert session is not None and session.opened_at is not None


async def test_r7_code_works_on_another_device_and_wrong_codes_run_out(
    mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        r = await ask(browser, path, "jenny@example.com")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        assert csrf
        [mail] = mailbox.wait_for("jenny@example.com")
        _link, code = link_and_code(mail)
        wrong = "000000" if code != "000000" else "111111"
        bad = await browser.post(
            f"{path}/code", data={"email": "jenny@example.com", "code": wrong, "csrf_token": csrf.group(1)}
        )
        assert bad.status_code == 400
        good = await browser.post(
            f"{path}/code", data={"email": "jenny@example.com", "code": code, "csrf_token": csrf.group(1)}
        )
        assert good.status_code == 303
        assert (await browser.get("/p/api/overview")).json()["customer"]["id"] == shop.customer["id"]
    async with browser_for(mail_app) as browser:
        r = await ask(browser, path, "jenny@example.com")
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', r.text)
        assert csrf
        mails = mailbox.wait_for("jenny@example.com", count=2)
        _link, code = link_and_code(mails[-1])
        for _ in range(5):
            await browser.post(
                f"{path}/code",
                data={
                    "email": "jenny@example.com",
                    "code": "999999" if code != "999999" else "888888",
                    "csrf_token": csrf.group(1),
                },
            )
        locked = await browser.post(
            f"{path}/code", data={"email": "jenny@example.com", "code": code, "csrf_token": csrf.group(1)}
        )
        assert locked.status_code == 400  # five wrong tries end the request, even for the right code


async def test_r7_unknown_email_same_answer_no_mail(
    mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    """R7: an unknown email gets the same response as a known one, and no mail (no account enumeration)."""
    _shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        known = await ask(browser, path, "jenny@example.com")
        unknown = await ask(browser, path, "nobody@example.com")
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace("jenny@example.com", "X") == unknown.text.replace("nobody@example.com", "X")
    mailbox.wait_for("jenny@example.com")
    assert mailbox.to("nobody@example.com") == []


async def test_r7_most_recent_customer_with_an_active_subscription(
    mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    """R7: several customers share the email: the newest with an active subscription, else the newest."""
    shop, path = await login_shop(merchant)
    newer_without = await f.customer(merchant, email="jenny@example.com")  # no subscription
    older_active = shop.customer["id"]
    async with browser_for(mail_app) as browser:
        await ask(browser, path, "jenny@example.com")
        link, _ = link_and_code(mailbox.wait_for("jenny@example.com")[-1])
        page = await browser.get(s.path(link))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        await browser.post(s.path(link), data={"csrf_token": csrf.group(1)})
        assert (await browser.get("/p/api/overview")).json()["customer"]["id"] == older_active
    await merchant.delete(f"/v1/subscriptions/{shop.subscription['id']}")
    async with browser_for(mail_app) as browser:
        await ask(browser, path, "jenny@example.com")
        link, _ = link_and_code(mailbox.wait_for("jenny@example.com", count=2)[-1])
        page = await browser.get(s.path(link))
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert csrf
        await browser.post(s.path(link), data={"csrf_token": csrf.group(1)})
        assert (await browser.get("/p/api/overview")).json()["customer"]["id"] == newer_without["id"]


async def test_r7_links_expire_after_15_minutes(
    mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox, clock: FixedClock
) -> None:
    _shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        await ask(browser, path, "jenny@example.com")
        link, _ = link_and_code(mailbox.wait_for("jenny@example.com")[0])
        clock.advance(minutes=15, seconds=1)
        assert (await browser.get(s.path(link))).status_code == 410


async def test_r7_abuse_limits_answer_the_same_and_send_nothing(
    mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox
) -> None:
    _shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        answers = [await ask(browser, path, "jenny@example.com") for _ in range(5)]
    assert {a.status_code for a in answers} == {200}
    mailbox.wait_for("jenny@example.com", count=3)
    assert len(mailbox.to("jenny@example.com")) == 3  # the limit is 3 an hour in this app


async def test_r7_csrf_and_host_header(mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox) -> None:
    """Forms need their CSRF token; links come from the configured base URL, never the Host header."""
    _shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        r = await browser.post(path, data={"email": "jenny@example.com", "csrf_token": "forged"})
        assert r.status_code == 403
        await ask(browser, path, "jenny@example.com", host="evil.example")
    link, _ = link_and_code(mailbox.wait_for("jenny@example.com")[0])
    assert link.startswith("http://portal.test/p/login/")


async def test_r7_disabled_or_unknown_login_page_is_gone(mail_app: Any, merchant: httpx.AsyncClient) -> None:
    shop, path = await login_shop(merchant)
    async with browser_for(mail_app) as browser:
        assert (await browser.get("/p/login/not-a-token")).status_code == 404
        await f.post(
            merchant,
            f"/v1/billing_portal/configurations/{shop.configuration['id']}",
            **{"login_page[enabled]": "false"},
        )
        gone = await browser.get(path)
        assert gone.status_code == 404 and "no longer active" in gone.text


async def test_r2_r7_modes_stay_apart(mail_app: Any, merchant: httpx.AsyncClient, mailbox: Mailbox) -> None:
    """R2: a live-mode login page never mails a link for a test-mode customer."""
    await login_shop(merchant)  # a test-mode customer jenny@example.com with a subscription
    transport = httpx.ASGITransport(app=mail_app)
    async with httpx.AsyncClient(
        transport=transport, base_url="http://portal.test", auth=(merchant.headers["X-Live-Key"], "")
    ) as live:
        config = await f.post(
            live,
            "/v1/billing_portal/configurations",
            **s.LEGAL,
            **{"features[invoice_history][enabled]": "true", "login_page[enabled]": "true"},
        )
    async with browser_for(mail_app) as browser:
        r = await ask(browser, s.path(config["login_page"]["url"]), "jenny@example.com")
        assert r.status_code == 200
    assert mailbox.to("jenny@example.com") == []


async def test_without_smtp_mails_become_files(database_url: str, clock: FixedClock, tmp_path: Path) -> None:
    """The `make run` default: no SMTP_URL, so the mail is an .eml file a newcomer can open."""
    app = create_app(Settings(database_url=database_url, base_url="http://portal.test", mail_dir=str(tmp_path)), clock)
    try:
        async with app.state.portal.db.transaction() as uow:
            new = await account_service.create(uow, clock, name="Files", billing=True)
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(
            transport=transport, base_url="http://portal.test", auth=(new.test_key, "")
        ) as merchant:
            _shop, path = await login_shop(merchant)
            async with browser_for(app) as browser:
                await ask(browser, path, "jenny@example.com")
    finally:
        await app.state.portal.db.dispose()  # also when the test fails: a leaked pool fails a later test
    texts = await asyncio.to_thread(lambda: [p.read_text() for p in tmp_path.glob("*.eml")])
    assert len(texts) == 1 and f"{path}/confirm/" in texts[0]
