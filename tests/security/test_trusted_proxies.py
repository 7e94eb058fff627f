"""TRUSTED_PROXIES: whose X-Forwarded-For counts for the per-address limits (R7 login mails,
dashboard sign-ins). Behind a proxy on another machine every visitor would otherwise share its
address; and from anywhere else a forged header must not buy a fresh address per request."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterator

import httpx
import pytest
from sqlalchemy import select

from app.clock import SystemClock
from app.services import accounts as account_service
from app.store.database import Database
from app.store.models import LoginRequest
from tests.conftest import LiveServer, serve


def _server(database_url: str, folder: object, trusted: str) -> Iterator[LiveServer]:
    yield from serve(database_url, folder, TRUSTED_PROXIES=trusted)  # type: ignore[arg-type]


@pytest.fixture(scope="module")
def behind_proxy(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _server(database_url, tmp_path_factory.mktemp("proxy"), "127.0.0.0/8")


@pytest.fixture(scope="module")
def no_proxy(database_url: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LiveServer]:
    yield from _server(database_url, tmp_path_factory.mktemp("noproxy"), "192.0.2.1")


def _login_page(server: LiveServer) -> tuple[str, str]:
    async def make() -> tuple[str, str]:
        db = Database(server.database_url)
        async with db.transaction() as uow:
            new = await account_service.create(uow, SystemClock(), name="proxy shop", billing=True)
        await db.dispose()
        return new.test_key, new.account.id

    key, _ = asyncio.run(make())
    with httpx.Client(base_url=server.base_url, auth=(key, "")) as api:
        config = api.post(
            "/v1/billing_portal/configurations",
            data={
                "features[invoice_history][enabled]": "true",
                "login_page[enabled]": "true",
                "business_profile[privacy_policy_url]": "https://shop.example/p",
                "business_profile[terms_of_service_url]": "https://shop.example/t",
            },
        ).json()
    return config["id"], httpx.URL(config["login_page"]["url"]).path


def _addresses(server: LiveServer, configuration: str) -> list[str]:
    async def read() -> list[str]:
        db = Database(server.database_url)
        async with db.uow(write=False) as uow:
            stmt = select(LoginRequest.client_address).where(LoginRequest.configuration_id == configuration)
            found = list((await uow.session.execute(stmt)).scalars())
        await db.dispose()
        return found

    return asyncio.run(read())


def _ask(server: LiveServer, path: str, forwarded: str) -> None:
    with httpx.Client(base_url=server.base_url) as browser:
        page = browser.get(path)
        token = re.search(r'name="csrf_token" value="([^"]+)"', page.text)
        assert token
        r = browser.post(
            path, data={"email": "c@shop.example", "csrf_token": token.group(1)}, headers={"X-Forwarded-For": forwarded}
        )
        assert r.status_code == 200


def test_a_trusted_proxy_passes_on_the_client_address(behind_proxy: LiveServer) -> None:
    configuration, path = _login_page(behind_proxy)
    _ask(behind_proxy, path, "198.51.100.7")
    _ask(behind_proxy, path, "203.0.113.9, 127.0.0.1")  # the rightmost address that is no proxy
    assert sorted(_addresses(behind_proxy, configuration)) == ["198.51.100.7", "203.0.113.9"]


def test_a_forged_header_from_anywhere_else_counts_for_nothing(no_proxy: LiveServer) -> None:
    configuration, path = _login_page(no_proxy)
    _ask(no_proxy, path, "198.51.100.7")
    _ask(no_proxy, path, "203.0.113.9")
    assert _addresses(no_proxy, configuration) == ["127.0.0.1", "127.0.0.1"]
