"""R12's custom domain moves every portal link, and the mailed sign-in link with its token: it is
set only with a live key (or the dashboard in live mode), and used only once verified by a DNS
TXT record carrying a token the service issued (a real resolver against a DNS server on
127.0.0.1), or approved by the operator."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from app.events.addresses import Resolver
from app.services import account_settings
from app.store.database import Database
from tests import factories as f
from tests.conftest import Keys
from tests.dns_server import Zone, dns_server
from tests.portal import shop as s


@pytest.fixture
async def zone(app: object) -> AsyncIterator[Zone]:
    async with dns_server() as z:
        app.state.portal.resolver = Resolver([z.nameserver])  # type: ignore[attr-defined]
        yield z


async def test_a_test_key_cannot_move_links(client: httpx.AsyncClient, live_client: httpx.AsyncClient) -> None:
    r = await client.post("/v1/account", data={"settings[portal][custom_domain]": "attacker.example"})
    assert (r.status_code, r.json()["error"]["code"]) == (400, "livemode_key_required")
    assert (await live_client.get("/v1/account")).json()["settings"]["portal"]["custom_domain"] is None


async def test_links_move_only_once_the_txt_record_proves_the_domain(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient, zone: Zone
) -> None:
    shop = await s.shop(client, **{"login_page[enabled]": "true"})
    account = await f.post(live_client, "/v1/account", **{"settings[portal][custom_domain]": "billing.shop.example"})
    verification = account["settings"]["portal"]["custom_domain_verification"]
    assert verification["status"] == "pending"
    record = verification["txt_record"]
    assert record["name"] == "_billing-portal.billing.shop.example" and len(record["value"]) > 30
    pending = await s.session(client, shop.customer["id"])
    assert pending["url"].startswith("http://portal.test/")  # BASE_URL until verified

    r = await live_client.post("/v1/account/custom_domain/verify")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "custom_domain_unverified")
    zone.set(record["name"], "TXT", "billing-portal-verification=someone-elses-token")
    r = await live_client.post("/v1/account/custom_domain/verify")
    assert r.json()["error"]["code"] == "custom_domain_unverified"
    zone.set(record["name"], "TXT", "v=spf1 -all", record["value"])
    verified = await f.post(live_client, "/v1/account/custom_domain/verify")
    assert verified["settings"]["portal"]["custom_domain_verification"]["status"] == "verified"
    moved = await s.session(client, shop.customer["id"])
    assert moved["url"].startswith("https://billing.shop.example/p/session/")

    # Another domain starts over: a new token, links back on BASE_URL until it is proven too.
    again = await f.post(live_client, "/v1/account", **{"settings[portal][custom_domain]": "pay.shop.example"})
    assert again["settings"]["portal"]["custom_domain_verification"]["txt_record"]["value"] != record["value"]
    assert (await s.session(client, shop.customer["id"]))["url"].startswith("http://portal.test/")


async def test_the_operator_can_approve_a_domain(client: httpx.AsyncClient, db: Database, keys: Keys) -> None:
    shop = await s.shop(client)
    async with db.transaction() as uow:
        await account_settings.approve_custom_domain(uow, keys.account_id, "billing.shop.example")
    assert (await s.session(client, shop.customer["id"]))["url"].startswith("https://billing.shop.example/")
