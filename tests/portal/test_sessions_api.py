"""POST /v1/billing_portal/sessions: R1, R2, R4, R6, R10, R12, R19 and the flows."""

from __future__ import annotations

import httpx

from app.clock import FixedClock
from app.objects.sessions import SessionObject
from app.services import account_settings
from app.services import accounts as account_service
from app.store.database import Database
from tests import factories as f
from tests.conftest import Keys
from tests.portal import shop as s


async def test_r1_r10_session_uses_the_default_configuration(client: httpx.AsyncClient) -> None:
    """R1: the merchant creates a session for one customer; R10: without `configuration`, the default."""
    shop = await s.shop(client)
    other = await s.configuration(client, shop.product, [shop.monthly["id"]])
    session = await s.session(client, shop.customer["id"])
    SessionObject.model_validate(session)
    assert session["configuration"] == shop.configuration["id"] != other["id"]
    assert session["return_url"] == "https://shop.example/account"
    assert session["url"].startswith("http://portal.test/p/session/test_")
    assert len(session["url"].rsplit("/", 1)[1]) >= 40  # >= 128 bits of randomness
    chosen = await s.session(client, shop.customer["id"], configuration=other["id"], **{"expand[]": "configuration"})
    assert chosen["configuration"]["id"] == other["id"]
    events = await f.events(client, "billing_portal.session.created")
    assert [e["data"]["object"]["id"] for e in events] == [chosen["id"], session["id"]]


async def test_r6_a_return_url_is_required(client: httpx.AsyncClient) -> None:
    """R6: the session's return_url, else the configuration's default_return_url; neither is a 400."""
    product = (await f.post(client, "/v1/products", name="P"))["id"]
    price = await f.price(client, product=product)
    config = await f.post(
        client, "/v1/billing_portal/configurations", **s.LEGAL, **{"features[invoice_history][enabled]": "true"}
    )
    cus = await f.customer(client)
    r = await client.post("/v1/billing_portal/sessions", data={"customer": cus["id"], "configuration": config["id"]})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "return_url")
    ok = await s.session(client, cus["id"], return_url="https://shop.example/back")
    assert ok["return_url"] == "https://shop.example/back"
    del price


async def test_configuration_errors(client: httpx.AsyncClient) -> None:
    cus = await f.customer(client)
    r = await client.post(
        "/v1/billing_portal/sessions", data={"customer": cus["id"], "return_url": "https://x.example"}
    )
    assert r.json()["error"]["code"] == "portal_configuration_missing"
    shop = await s.shop(client)
    other = await s.configuration(client, shop.product, [shop.monthly["id"]])
    await f.post(client, f"/v1/billing_portal/configurations/{other['id']}", active="false")
    r = await client.post("/v1/billing_portal/sessions", data={"customer": cus["id"], "configuration": other["id"]})
    assert r.json()["error"]["code"] == "portal_configuration_inactive"
    r = await client.post("/v1/billing_portal/sessions", data={"customer_account": "acct_x"})
    assert r.json()["error"]["code"] == "feature_not_supported"
    r = await client.post("/v1/billing_portal/sessions", data={"customer": cus["id"], "locale": "xx"})
    assert r.json()["error"]["param"] == "locale"


async def test_r2_other_modes_and_accounts_customers_are_missing(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    """R2: a session can only be made for a customer of the key's own account and mode."""
    shop = await s.shop(client)
    for c in (live_client, other_client):
        r = await c.post(
            "/v1/billing_portal/sessions", data={"customer": shop.customer["id"], "return_url": "https://x.example"}
        )
        assert (r.status_code, r.json()["error"]["param"]) == (404, "customer")


async def test_r12_session_urls_use_the_custom_domain(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """R12: with a custom domain (once verified), session URLs are on it."""
    shop = await s.shop(client)
    await f.post(live_client, "/v1/account", **{"settings[portal][custom_domain]": "billing.shop.example"})
    pending = await s.session(client, shop.customer["id"])
    assert pending["url"].startswith("http://portal.test/p/session/test_")  # not verified yet
    async with db.transaction() as uow:
        await account_settings.approve_custom_domain(uow, keys.account_id, "billing.shop.example")
    session = await s.session(client, shop.customer["id"])
    assert session["url"].startswith("https://billing.shop.example/p/session/test_")


async def test_r19_live_sessions_need_paid_billing(app: object, db: Database, clock: FixedClock) -> None:
    """R19: a live-mode session for an account without paid Billing is a 403; nothing is created."""
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="unpaid", billing=False)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(new.live_key, "")) as live:
        cus = await f.post(live, "/v1/customers", email="l@example.com")
        r = await live.post(
            "/v1/billing_portal/sessions", data={"customer": cus["id"], "return_url": "https://x.example"}
        )
        assert (r.status_code, r.json()["error"]["type"], r.json()["error"]["code"]) == (
            403,
            "invalid_request_error",
            "billing_not_enabled",
        )
        assert await f.events(live, "billing_portal.session.created") == []


async def test_flows_are_validated(client: httpx.AsyncClient, other_client: httpx.AsyncClient) -> None:
    shop = await s.shop(client)
    cus, sub = shop.customer["id"], shop.subscription["id"]
    item = shop.subscription["items"]["data"][0]["id"]
    ok = await s.session(
        client,
        cus,
        **{
            "flow_data[type]": "subscription_cancel",
            "flow_data[subscription_cancel][subscription]": sub,
            "flow_data[after_completion][type]": "redirect",
            "flow_data[after_completion][redirect][return_url]": "https://shop.example/bye",
        },
    )
    assert ok["flow"]["type"] == "subscription_cancel"
    assert ok["flow"]["after_completion"] == {
        "hosted_confirmation": None,
        "redirect": {"return_url": "https://shop.example/bye"},
        "type": "redirect",
    }
    assert ok["flow"]["subscription_cancel"] == {"retention": None, "subscription": sub}
    theirs = (await f.subscription(other_client))["id"]
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={
            "customer": cus,
            "flow_data[type]": "subscription_update",
            "flow_data[subscription_update][subscription]": theirs,
        },
    )
    assert (r.status_code, r.json()["error"]["param"]) == (404, "flow_data[subscription_update][subscription]")
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={
            "customer": cus,
            "flow_data[type]": "subscription_cancel",
            "flow_data[after_completion][type]": "redirect",
            "flow_data[subscription_cancel][subscription]": sub,
        },
    )
    assert r.json()["error"]["param"] == "flow_data[after_completion][redirect]"
    confirm = {
        "customer": cus,
        "flow_data[type]": "subscription_update_confirm",
        "flow_data[subscription_update_confirm][subscription]": sub,
        "flow_data[subscription_update_confirm][items][0][id]": item,
        "flow_data[subscription_update_confirm][items][0][price]": shop.yearly["id"],
    }
    assert (await client.post("/v1/billing_portal/sessions", data=confirm)).status_code == 200
    elsewhere = await f.price(client)
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={**confirm, "flow_data[subscription_update_confirm][items][0][price]": elsewhere["id"]},
    )
    assert r.json()["error"]["code"] == "price_not_in_configuration"
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={**confirm, "flow_data[subscription_update_confirm][items][1][id]": item},
    )
    assert r.json()["error"]["param"] == "flow_data[subscription_update_confirm][items]"
    pm = await s.session(client, cus, **{"flow_data[type]": "payment_method_update"})
    assert pm["flow"]["after_completion"]["type"] == "portal_homepage"


async def test_r4_update_flow_on_a_cancel_only_subscription_is_refused_with_its_reason(
    client: httpx.AsyncClient,
) -> None:
    """R4: a subscription_update flow for a subscription the portal cannot update says why."""
    shop = await s.shop(client)
    await f.post(client, f"/v1/subscriptions/{shop.subscription['id']}", **{"pause_collection[behavior]": "void"})
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={
            "customer": shop.customer["id"],
            "flow_data[type]": "subscription_update",
            "flow_data[subscription_update][subscription]": shop.subscription["id"],
        },
    )
    assert r.status_code == 400
    assert r.json()["error"]["code"] == "collection_paused"
    assert "collection_paused" in r.json()["error"]["message"]


async def test_r8_payment_method_types_are_data(client: httpx.AsyncClient) -> None:
    """R8: the supported types with their limits, narrowed by currency and merchant country."""
    every = (await client.get("/v1/billing_portal/payment_method_types")).json()["data"]
    types = {t["type"] for t in every}
    assert {"card", "link", "sepa_debit", "us_bank_account", "bacs_debit", "paypal"} <= types and "ideal" not in types
    eur_se = (
        await client.get("/v1/billing_portal/payment_method_types", params={"currency": "eur", "country": "SE"})
    ).json()
    assert {t["type"] for t in eur_se["data"]} == {"card", "link", "paypal", "sepa_debit"}
    sepa = next(t for t in every if t["type"] == "sepa_debit")
    assert sepa["currencies"] == ["eur"]
