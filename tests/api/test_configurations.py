"""Portal configurations: the full object, R5, R6, R10, R11, R12, R13, R17, R19, cancel rules, login page."""

from __future__ import annotations

import asyncio
from datetime import UTC, datetime
from typing import Any

import httpx
import pytest

from app.clock import FixedClock
from app.objects.configurations import ConfigurationObject
from app.services import account_settings
from app.services import accounts as account_service
from app.store.database import Database
from tests import factories as f
from tests.conftest import Keys

LEGAL = {
    "business_profile[privacy_policy_url]": "https://shop.example/privacy",
    "business_profile[terms_of_service_url]": "https://shop.example/terms",
}


async def create(client: httpx.AsyncClient, **data: Any) -> httpx.Response:
    body = {**LEGAL, "features[invoice_history][enabled]": "true", **data}
    return await client.post("/v1/billing_portal/configurations", data=body)


async def created(client: httpx.AsyncClient, **data: Any) -> dict[str, Any]:
    r = await create(client, **data)
    assert r.status_code == 200, r.text
    body: dict[str, Any] = r.json()
    return body


async def test_the_whole_object_with_stripes_defaults(client: httpx.AsyncClient) -> None:
    c = await created(client)
    ConfigurationObject.model_validate(c)
    assert c["id"].startswith("bpc_") and c["object"] == "billing_portal.configuration"
    assert c["features"] == {
        "customer_update": {"allowed_updates": [], "enabled": False},
        "invoice_history": {"enabled": True},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": False, "feedback_options": None, "options": []},
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {
            "billing_cycle_anchor": None,
            "default_allowed_updates": [],
            "enabled": False,
            "products": [],
            "proration_behavior": "none",
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
        },
    }
    assert (c["is_default"], c["active"], c["application"], c["login_page"]) == (
        True,
        True,
        None,
        {"enabled": False, "url": None},
    )
    assert (await client.get(f"/v1/billing_portal/configurations/{c['id']}")).json() == c
    assert [e["type"] for e in await f.events(client, "billing_portal.configuration.created")] == [
        "billing_portal.configuration.created"
    ]


async def test_update_changes_only_what_is_sent_and_empty_string_clears(client: httpx.AsyncClient) -> None:
    c = await created(
        client,
        default_return_url="https://shop.example/account",
        name="Main",
        **{
            "features[customer_update][enabled]": "true",
            "features[customer_update][allowed_updates][0]": "email",
            "business_profile[headline]": "Manage your plan",
        },
    )
    u = (
        await client.post(
            f"/v1/billing_portal/configurations/{c['id']}",
            data={"features[customer_update][allowed_updates]": "", "name": "", "metadata[k]": "v"},
        )
    ).json()
    assert u["features"]["customer_update"] == {"allowed_updates": [], "enabled": True}
    assert (u["name"], u["metadata"], u["default_return_url"]) == (None, {"k": "v"}, "https://shop.example/account")
    assert u["business_profile"]["headline"] == "Manage your plan"
    assert u["features"]["invoice_history"] == {"enabled": True}
    updates = await f.events(client, "billing_portal.configuration.updated")
    assert len(updates) == 1 and "features" in updates[0]["data"]["previous_attributes"]


async def test_r5_cancel_without_update_and_history_alone_are_valid(client: httpx.AsyncClient) -> None:
    """R5: subscription_cancel enabled with subscription_update disabled is a valid configuration."""
    c = await created(
        client,
        **{"features[subscription_cancel][enabled]": "true", "features[subscription_update][enabled]": "false"},
    )
    assert c["features"]["subscription_cancel"]["enabled"] is True
    assert c["features"]["subscription_update"]["enabled"] is False
    assert (await created(client))["features"]["invoice_history"]["enabled"] is True


@pytest.mark.parametrize("missing", ["privacy_policy_url", "terms_of_service_url"])
async def test_r6_legal_links_are_required(client: httpx.AsyncClient, missing: str) -> None:
    """R6: a configuration needs links to the terms of service and the privacy policy."""
    data = {k: v for k, v in LEGAL.items() if missing not in k}
    r = await client.post(
        "/v1/billing_portal/configurations", data={**data, "features[invoice_history][enabled]": "true"}
    )
    assert r.status_code == 400
    assert r.json()["error"]["param"] == f"business_profile[{missing}]"
    assert (await client.get("/v1/billing_portal/configurations")).json()["data"] == []
    c = await created(client)
    r = await client.post(f"/v1/billing_portal/configurations/{c['id']}", data={f"business_profile[{missing}]": ""})
    assert r.status_code == 400


async def test_r6_urls_must_be_absolute_and_https_in_live_mode(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient
) -> None:
    """R6: the links and return URL are absolute URLs; live mode takes only https."""
    r = await create(client, default_return_url="/relative")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "url_invalid")
    assert (await create(client, default_return_url="http://localhost:3000/account")).status_code == 200
    r = await create(live_client, default_return_url="http://shop.example/account")
    assert (r.status_code, r.json()["error"]["param"]) == (400, "default_return_url")


async def test_r10_exactly_one_default_that_moves_atomically(client: httpx.AsyncClient) -> None:
    """R10: the first configuration is the default; is_default=true moves it; the default stays active."""
    first = await created(client)
    second = await created(client)
    assert (first["is_default"], second["is_default"]) == (True, False)
    moved = (await client.post(f"/v1/billing_portal/configurations/{second['id']}", data={"is_default": "true"})).json()
    assert moved["is_default"] is True
    assert (await client.get(f"/v1/billing_portal/configurations/{first['id']}")).json()["is_default"] is False
    defaults = (await client.get("/v1/billing_portal/configurations", params={"is_default": "true"})).json()["data"]
    assert [c["id"] for c in defaults] == [second["id"]]
    r = await client.post(f"/v1/billing_portal/configurations/{second['id']}", data={"active": "false"})
    assert r.json()["error"]["code"] == "default_configuration_required"
    r = await client.post(f"/v1/billing_portal/configurations/{second['id']}", data={"is_default": "false"})
    assert r.json()["error"]["code"] == "default_configuration_required"
    inactive = await f.post(client, f"/v1/billing_portal/configurations/{first['id']}", active="false")
    assert inactive["active"] is False
    listed = (await client.get("/v1/billing_portal/configurations", params={"active": "false"})).json()["data"]
    assert [c["id"] for c in listed] == [first["id"]]
    third = await created(client, is_default="true")
    assert third["is_default"] is True


async def test_r10_a_configuration_made_beside_the_default_is_stored_as_answered(client: httpx.AsyncClient) -> None:
    """R10: once a scope has its default, a new configuration is not the default and is written at
    commit by one INSERT (app/store/append.py): what was answered is what is stored, its one
    event shows it, and it changes and takes the default like any other."""
    first = await created(client)
    second = await created(
        client,
        name="Segment B",
        default_return_url="https://shop.example/account",
        **{
            "login_page[enabled]": "true",
            "metadata[segment]": "b",
            "features[subscription_cancel][enabled]": "true",
            "business_profile[headline]": "Shop B",
        },
    )
    assert (first["is_default"], second["is_default"], second["login_page"]["enabled"]) == (True, False, True)
    assert (await client.get(f"/v1/billing_portal/configurations/{second['id']}")).json() == second
    listed = (await client.get("/v1/billing_portal/configurations")).json()["data"]
    assert [c["id"] for c in listed] == [second["id"], first["id"]]
    events = await f.events(client, "billing_portal.configuration.created")
    assert [e["data"]["object"] for e in events if e["data"]["object"]["id"] == second["id"]] == [second]
    renamed = await f.post(client, f"/v1/billing_portal/configurations/{second['id']}", name="B", is_default="true")
    assert (renamed["name"], renamed["is_default"], renamed["metadata"]) == ("B", True, {"segment": "b"})
    assert (await client.get(f"/v1/billing_portal/configurations/{first['id']}")).json()["is_default"] is False


async def test_r10_concurrent_default_moves_leave_exactly_one(client: httpx.AsyncClient) -> None:
    """R10 under races: many concurrent is_default=true updates leave exactly one default."""
    configs = [await created(client) for _ in range(6)]
    for _ in range(5):
        results = await asyncio.gather(
            *(client.post(f"/v1/billing_portal/configurations/{c['id']}", data={"is_default": "true"}) for c in configs)
        )
        assert all(r.status_code == 200 for r in results), [r.text for r in results if r.status_code != 200]
        defaults = (await client.get("/v1/billing_portal/configurations", params={"is_default": "true"})).json()
        assert len(defaults["data"]) == 1


async def test_r11_no_free_text_but_the_headline(client: httpx.AsyncClient) -> None:
    """R11: only business_profile.headline (max 60) is merchant text; anything else is unknown."""
    assert (await create(client, **{"business_profile[headline]": "x" * 60})).status_code == 200
    r = await create(client, **{"business_profile[headline]": "x" * 61})
    assert r.json()["error"]["param"] == "business_profile[headline]"
    for sent, unknown in (
        ("business_profile[welcome_text]", "business_profile[welcome_text]"),
        ("features[custom_text][enabled]", "features[custom_text]"),  # named where it stops being known
        ("custom_text", "custom_text"),
    ):
        r = await create(client, **{sent: "Hello"})
        assert (r.json()["error"]["code"], r.json()["error"]["param"]) == ("parameter_unknown", unknown)


async def test_r11_branding_lives_on_the_account(client: httpx.AsyncClient) -> None:
    """R11: branding (name, colours, icon, logo) is set on the account; colours are validated hex."""
    a = await f.post(
        client,
        "/v1/account",
        **{
            "settings[branding][primary_color]": "#0A2540",
            "settings[branding][secondary_color]": "#fff",
            "settings[branding][logo]": "https://shop.example/logo.png",
            "business_profile[name]": "Shop AB",
        },
    )
    assert a["settings"]["branding"]["primary_color"] == "#0a2540"
    assert a["business_profile"]["name"] == "Shop AB"
    r = await client.post("/v1/account", data={"settings[branding][primary_color]": "blue"})
    assert (r.status_code, r.json()["error"]["param"]) == (400, "settings[branding][primary_color]")
    assert (await client.get("/v1/account")).json()["settings"]["branding"]["primary_color"] == "#0a2540"


async def test_r12_custom_domain_moves_login_page_urls(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient, db: Database, keys: Keys
) -> None:
    """R12: with a custom domain (set with a live key, verified), portal links (here the login page URL) use it."""
    c = await created(client, **{"login_page[enabled]": "true"})
    assert c["login_page"]["url"].startswith("http://portal.test/p/login/")
    await f.post(live_client, "/v1/account", **{"settings[portal][custom_domain]": "Billing.Shop.Example"})
    async with db.transaction() as uow:
        await account_settings.approve_custom_domain(uow, keys.account_id, "billing.shop.example")
    moved = (await client.get(f"/v1/billing_portal/configurations/{c['id']}")).json()
    token = c["login_page"]["url"].rsplit("/", 1)[1]
    assert moved["login_page"]["url"] == f"https://billing.shop.example/p/login/{token}"
    for bad in ("https://x.example", "localhost", "10.0.0.1", "a..b", "-bad.example"):
        r = await live_client.post("/v1/account", data={"settings[portal][custom_domain]": bad})
        assert r.json()["error"]["code"] == "custom_domain_invalid", bad
    await f.post(live_client, "/v1/account", **{"settings[portal][custom_domain]": ""})
    assert (await client.get(f"/v1/billing_portal/configurations/{c['id']}")).json()["login_page"]["url"] == c[
        "login_page"
    ]["url"]


async def test_login_page_enable_disable_reenable(client: httpx.AsyncClient) -> None:
    """R7 (configuration side): a stable, unguessable URL; disabling kills it; enabling again gives a new one."""
    c = await created(client, **{"login_page[enabled]": "true"})
    url = c["login_page"]["url"]
    assert len(url.rsplit("/", 1)[1]) >= 32
    same = (await client.post(f"/v1/billing_portal/configurations/{c['id']}", data={"metadata[x]": "y"})).json()
    assert same["login_page"]["url"] == url
    off = await f.post(client, f"/v1/billing_portal/configurations/{c['id']}", **{"login_page[enabled]": "false"})
    assert off["login_page"] == {"enabled": False, "url": None}
    on = await f.post(client, f"/v1/billing_portal/configurations/{c['id']}", **{"login_page[enabled]": "true"})
    assert on["login_page"]["enabled"] is True and on["login_page"]["url"] != url


async def _plan(client: httpx.AsyncClient) -> tuple[str, dict[str, Any], dict[str, Any], dict[str, Any]]:
    product = (await f.post(client, "/v1/products", name="Pro"))["id"]
    monthly = await f.price(client, product=product)
    monthly_again = await f.price(client, product=product, amount=1200)
    yearly = await f.price(client, product=product, interval="year")
    return product, monthly, monthly_again, yearly


async def test_r13_one_price_per_product_interval_and_currency(client: httpx.AsyncClient) -> None:
    """R13: a second price of the same product, interval and currency fails naming both prices."""
    product, monthly, monthly_again, yearly = await _plan(client)
    base = "features[subscription_update]"
    ok = await created(
        client,
        **{
            f"{base}[enabled]": "true",
            f"{base}[products][0][product]": product,
            f"{base}[products][0][prices][0]": monthly["id"],
            f"{base}[products][0][prices][1]": yearly["id"],
        },
    )
    assert ok["features"]["subscription_update"]["products"] == [
        {
            "adjustable_quantity": {"enabled": False, "maximum": None, "minimum": 0},
            "prices": [monthly["id"], yearly["id"]],
            "product": product,
        }
    ]
    r = await create(
        client,
        **{
            f"{base}[enabled]": "true",
            f"{base}[products][0][product]": product,
            f"{base}[products][0][prices][0]": monthly["id"],
            f"{base}[products][0][prices][1]": monthly_again["id"],
        },
    )
    err = r.json()["error"]
    assert r.status_code == 400 and err["code"] == "duplicate_price_interval_currency"
    assert monthly["id"] in err["message"] and monthly_again["id"] in err["message"]
    assert err["param"] == f"{base}[products][0][prices][1]"
    # Another product may use the same interval and currency.
    other = await f.price(client)
    fine = await create(
        client,
        **{
            f"{base}[enabled]": "true",
            f"{base}[products][0][product]": product,
            f"{base}[products][0][prices][0]": monthly["id"],
            f"{base}[products][1][product]": other["product"],
            f"{base}[products][1][prices][0]": other["id"],
        },
    )
    assert fine.status_code == 200
    # The same on update.
    r = await client.post(
        f"/v1/billing_portal/configurations/{ok['id']}",
        data={
            f"{base}[products][0][product]": product,
            f"{base}[products][0][prices][0]": monthly["id"],
            f"{base}[products][0][prices][1]": monthly_again["id"],
        },
    )
    assert r.json()["error"]["code"] == "duplicate_price_interval_currency"


async def test_r13_same_interval_in_another_currency_is_allowed(client: httpx.AsyncClient) -> None:
    """R13 keys on interval *and* currency."""
    product, monthly, _again, _yearly = await _plan(client)
    sek = await f.price(client, product=product, currency="sek")
    base = "features[subscription_update][products][0]"
    r = await create(
        client,
        **{
            "features[subscription_update][enabled]": "true",
            f"{base}[product]": product,
            f"{base}[prices][0]": monthly["id"],
            f"{base}[prices][1]": sek["id"],
        },
    )
    assert r.status_code == 200


async def test_update_products_must_be_real_active_recurring_prices_of_the_product(
    client: httpx.AsyncClient, other_client: httpx.AsyncClient
) -> None:
    product, _monthly, _again, _yearly = await _plan(client)
    stranger = await f.price(other_client)
    one_time = await f.price(client, product=product, interval="")
    other_product = await f.price(client)
    inactive = await f.price(client, product=product, interval="week")
    await f.post(client, f"/v1/prices/{inactive['id']}", active="false")
    base = "features[subscription_update][products][0]"
    for price_id, code in (
        (stranger["id"], "resource_missing"),
        (one_time["id"], "price_not_recurring"),
        (other_product["id"], "price_product_mismatch"),
        (inactive["id"], "price_inactive"),
    ):
        r = await create(
            client,
            **{
                "features[subscription_update][enabled]": "true",
                f"{base}[product]": product,
                f"{base}[prices][0]": price_id,
            },
        )
        assert r.json()["error"]["code"] == code, (code, r.text)
    many = {"features[subscription_update][enabled]": "true"}
    for i in range(11):
        p = await f.price(client)
        many |= {
            f"features[subscription_update][products][{i}][product]": p["product"],
            f"features[subscription_update][products][{i}][prices][0]": p["id"],
        }
    r = await create(client, **many)
    assert r.json()["error"]["code"] == "too_many_products"


async def test_subscription_cancel_rules(client: httpx.AsyncClient) -> None:
    base = "features[subscription_cancel]"
    r = await create(client, **{f"{base}[enabled]": "true", f"{base}[proration_behavior]": "always_invoice"})
    assert r.json()["error"]["param"] == f"{base}[proration_behavior]"
    r = await create(client, **{f"{base}[enabled]": "true", f"{base}[proration_behavior]": "create_prorations"})
    assert r.json()["error"]["code"] == "cancel_proration_requires_immediate"
    ok = await created(
        client,
        **{
            f"{base}[enabled]": "true",
            f"{base}[mode]": "immediately",
            f"{base}[proration_behavior]": "create_prorations",
            f"{base}[cancellation_reason][enabled]": "true",
            f"{base}[cancellation_reason][options][0]": "too_expensive",
            f"{base}[cancellation_reason][options][1]": "unused",
        },
    )
    assert ok["features"]["subscription_cancel"]["cancellation_reason"]["options"] == ["too_expensive", "unused"]
    r = await create(
        client,
        **{
            f"{base}[enabled]": "true",
            f"{base}[cancellation_reason][enabled]": "true",
            f"{base}[cancellation_reason][options][0]": "bored",
        },
    )
    assert r.json()["error"]["param"] == f"{base}[cancellation_reason][options][0]"


@pytest.mark.parametrize(
    ("day", "accepted", "rendered"),
    [
        (datetime(2024, 3, 28, 23, 59, tzinfo=UTC), True, True),
        (datetime(2024, 3, 29, 0, 0, tzinfo=UTC), True, True),
        (datetime(2024, 5, 1, 12, 0, tzinfo=UTC), True, True),
        (datetime(2024, 7, 31, 23, 59, tzinfo=UTC), True, True),
        (datetime(2024, 8, 1, 0, 0, tzinfo=UTC), False, False),
        (datetime(2026, 11, 26, 12, 0, tzinfo=UTC), False, False),
    ],
)
async def test_r17_subscription_pause_parameter_timeline(
    client: httpx.AsyncClient, clock: FixedClock, day: datetime, accepted: bool, rendered: bool
) -> None:
    """R17: features[subscription_pause] is accepted until 2024-07-31 and unknown from 2024-08-01 (R14: today)."""
    clock.at = day
    r = await create(client, **{"features[subscription_pause][enabled]": "true"})
    if accepted:
        assert r.status_code == 200, r.text
        assert r.json()["features"]["subscription_pause"] == {"enabled": True}
    else:
        assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_unknown")
        assert r.json()["error"]["param"] == "features[subscription_pause]"
    c = await created(client)
    r = await client.post(
        f"/v1/billing_portal/configurations/{c['id']}", data={"features[subscription_pause][enabled]": "false"}
    )
    assert (r.status_code == 200) is accepted


async def test_r17_stored_pause_setting_disappears_from_the_object_on_2024_08_01(
    client: httpx.AsyncClient, clock: FixedClock
) -> None:
    """R17: a configuration that used the feature stops showing it once the parameter is removed."""
    clock.at = datetime(2024, 7, 31, 12, tzinfo=UTC)
    c = await created(client, **{"features[subscription_pause][enabled]": "true"})
    clock.at = datetime(2024, 8, 1, 0, 1, tzinfo=UTC)
    later = (await client.get(f"/v1/billing_portal/configurations/{c['id']}")).json()
    assert "subscription_pause" not in later["features"]


async def test_r19_live_mode_needs_paid_billing(app: object, db: Database, clock: FixedClock) -> None:
    """R19: without paid Billing, live mode is refused with a permission error that says how to get access;
    test mode works; nothing is created."""
    async with db.transaction() as uow:
        new = await account_service.create(uow, clock, name="free tier", billing=False)
    transport = httpx.ASGITransport(app=app)  # type: ignore[arg-type]
    async with (
        httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(new.live_key, "")) as live,
        httpx.AsyncClient(transport=transport, base_url="http://portal.test", auth=(new.test_key, "")) as test,
    ):
        r = await create(live)
        assert r.status_code == 403
        err = r.json()["error"]
        assert err["code"] == "billing_not_enabled" and "paid Billing" in err["message"]
        assert (await live.get("/v1/billing_portal/configurations")).json()["data"] == []
        assert (await create(test)).status_code == 200
        async with db.transaction() as uow:
            await account_service.set_billing(uow, new.account.id, True)
        assert (await create(live)).status_code == 200
