"""The customer side: the session URL's life, the JSON customer portal API, and the rules it keeps."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import httpx

from app.clock import FixedClock
from tests import factories as f
from tests.portal import shop as s


async def sign_in(client: httpx.AsyncClient, browser: httpx.AsyncClient, customer: str, **extra: Any) -> dict[str, Any]:
    session = await s.session(client, customer, **extra)
    r = await browser.get(s.path(session["url"]))
    assert (r.status_code, r.headers["location"]) == (303, "/p/")
    cookie = r.headers["set-cookie"].lower()
    assert "httponly" in cookie and "samesite=lax" in cookie and "path=/p" in cookie
    overview: dict[str, Any] = (await browser.get("/p/api/overview")).json()
    return overview


async def act(
    browser: httpx.AsyncClient, overview: dict[str, Any], method: str, path: str, **body: Any
) -> httpx.Response:
    return await browser.request(
        method, f"/p/api{path}", json=body or None, headers={"X-CSRF-Token": overview["csrf_token"]}
    )


async def test_r1_overview_shows_subscriptions_payment_methods_invoices(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    """R1: the customer sees and manages payment methods, subscriptions and invoice history."""
    shop = await s.shop(client)
    o = await sign_in(client, browser, shop.customer["id"])
    assert o["customer"]["id"] == shop.customer["id"] and o["business"]["headline"] == "Manage your plan"
    [sub] = o["subscriptions"]
    assert sub["id"] == shop.subscription["id"]
    assert sub["actions"] == {
        "update": True,
        "cancel": True,
        "renew": False,
        "pause_collection": False,
        "resume_collection": False,
    }
    assert [p["id"] for p in sub["update_options"]] == [shop.monthly["id"], shop.yearly["id"]]
    assert [m["last4"] for m in o["payment_methods"]] == ["4242"] and o["payment_methods"][0]["default"]
    assert [i["id"] for i in o["invoices"]] == [shop.subscription["latest_invoice"]]


async def test_session_url_works_once_and_expires_unvisited(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(client, **{"login_page[enabled]": "true"})
    session = await s.session(client, shop.customer["id"])
    assert (await browser.get(s.path(session["url"]))).status_code == 303
    again = await browser.get(s.path(session["url"]))
    assert again.status_code == 410
    assert "https://shop.example/account" in again.text  # back to the merchant
    # No after_expiration: no way to sign in again from here, even with the login page on.
    assert shop.configuration["login_page"]["url"] not in again.text
    late = await s.session(client, shop.customer["id"])
    clock.advance(minutes=5, seconds=1)
    assert (await browser.get(s.path(late["url"]))).status_code == 410
    assert (await browser.get("/p/session/test_nonsense")).status_code == 404


async def test_visit_idles_out_after_an_hour(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(client)
    await sign_in(client, browser, shop.customer["id"])
    clock.advance(minutes=59)
    assert (await browser.get("/p/api/overview")).status_code == 200
    clock.advance(minutes=59)  # active a minute ago: still fine
    assert (await browser.get("/p/api/overview")).status_code == 200
    clock.advance(minutes=61)
    r = await browser.get("/p/api/overview")
    assert (r.status_code, r.json()["error"]["code"]) == (401, "portal_session_expired")
    assert (await browser.get("/p/")).status_code == 410


async def test_no_cookie_no_portal(browser: httpx.AsyncClient) -> None:
    assert (await browser.get("/p/api/overview")).status_code == 401
    page = await browser.get("/p/")
    assert page.status_code == 401 and page.headers["x-frame-options"] == "DENY"


async def test_r3_there_is_no_way_to_create_a_subscription(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    """R3: the portal API has no endpoint that creates a subscription."""
    shop = await s.shop(client)
    o = await sign_in(client, browser, shop.customer["id"])
    for path in ("/subscriptions", "/subscriptions/create", "/checkout"):
        r = await act(browser, o, "POST", path, price=shop.monthly["id"])
        assert r.status_code in (404, 405)
    subs = (await client.get("/v1/subscriptions", params={"customer": shop.customer["id"], "status": "all"})).json()
    assert len(subs["data"]) == 1


async def test_cancel_at_period_end_with_reason_then_renew(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    """R18: each portal change is exactly one customer.subscription.updated, as from the API."""
    shop = await s.shop(client)
    o = await sign_in(client, browser, shop.customer["id"])
    sub = shop.subscription["id"]
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/cancel", reason="too_expensive", comment="Too pricey")
    assert r.status_code == 200 and r.json()["subscriptions"][0]["actions"]["renew"] is True
    api = (await client.get(f"/v1/subscriptions/{sub}")).json()
    assert api["cancel_at_period_end"] is True
    assert api["cancellation_details"] == {
        "comment": "Too pricey",
        "feedback": "too_expensive",
        "feedback_option": None,
        "reason": None,
    }
    assert len(await f.events(client, "customer.subscription.updated")) == 1
    await act(browser, o, "POST", f"/subscriptions/{sub}/renew")
    assert (await client.get(f"/v1/subscriptions/{sub}")).json()["cancel_at_period_end"] is False
    assert len(await f.events(client, "customer.subscription.updated")) == 2
    bad = await act(browser, o, "POST", f"/subscriptions/{sub}/cancel", reason="bored")
    assert bad.json()["error"]["param"] == "reason"


async def test_cancel_immediately_when_configured(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    shop = await s.shop(client, **{"features[subscription_cancel][mode]": "immediately"})
    o = await sign_in(client, browser, shop.customer["id"])
    r = await act(browser, o, "POST", f"/subscriptions/{shop.subscription['id']}/cancel")
    assert r.json()["subscriptions"] == []
    assert (await client.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()["status"] == "canceled"
    assert len(await f.events(client, "customer.subscription.deleted")) == 1


async def test_switch_plan_with_preview_and_quantity_bounds(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    shop = await s.shop(
        client,
        **{
            "features[subscription_update][products][0][adjustable_quantity][enabled]": "true",
            "features[subscription_update][products][0][adjustable_quantity][maximum]": "5",
        },
    )
    o = await sign_in(client, browser, shop.customer["id"])
    sub = shop.subscription["id"]
    preview = (
        await act(browser, o, "POST", f"/subscriptions/{sub}/preview", price=shop.yearly["id"], quantity=2)
    ).json()
    assert (preview["current"]["amount"], preview["new"]["amount"], preview["new"]["interval"]) == (1000, 20000, "year")
    assert len(await f.events(client, "customer.subscription.updated")) == 0  # a preview changes nothing
    too_many = await act(browser, o, "POST", f"/subscriptions/{sub}/update", quantity=6)
    assert too_many.json()["error"]["code"] == "quantity_out_of_bounds"
    elsewhere = await f.price(client)
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/update", price=elsewhere["id"])
    assert r.json()["error"]["code"] == "price_not_in_configuration"
    ok = await act(browser, o, "POST", f"/subscriptions/{sub}/update", price=shop.yearly["id"], quantity=2)
    assert ok.status_code == 200
    item = (await client.get(f"/v1/subscriptions/{sub}")).json()["items"]["data"][0]
    assert (item["price"]["id"], item["quantity"]) == (shop.yearly["id"], 2)
    assert len(await f.events(client, "customer.subscription.updated")) == 1


async def test_r4_r5_cancel_only_subscriptions_say_why(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    """R4: a non-updatable subscription offers cancellation only, with its reasons; R5 likewise."""
    shop = await s.shop(client)
    send = await f.subscription(
        client,
        customer_id=shop.customer["id"],
        price_id=shop.monthly["id"],
        collection_method="send_invoice",
        days_until_due=7,
    )
    o = await sign_in(client, browser, shop.customer["id"])
    view = next(x for x in o["subscriptions"] if x["id"] == send["id"])
    assert view["actions"]["update"] is False and view["actions"]["cancel"] is True
    assert [limit["code"] for limit in view["limitations"]] == ["send_invoice_collection"]
    assert view["update_options"] == []
    r = await act(browser, o, "POST", f"/subscriptions/{send['id']}/update", price=shop.yearly["id"])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "send_invoice_collection")
    await f.post(client, "/v1/subscription_schedules", from_subscription=shop.subscription["id"])
    o = (await browser.get("/p/api/overview")).json()
    scheduled = next(x for x in o["subscriptions"] if x["id"] == shop.subscription["id"])
    assert scheduled["actions"]["cancel"] is False and scheduled["actions"]["update"] is False
    r = await act(browser, o, "POST", f"/subscriptions/{shop.subscription['id']}/cancel")
    assert r.json()["error"]["code"] == "subscription_not_cancelable"


async def test_r5_cancel_only_configuration(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    """R5: features.subscription_update disabled: cancel is offered, update is not."""
    shop = await s.shop(client, **{"features[subscription_update][enabled]": "false"})
    o = await sign_in(client, browser, shop.customer["id"])
    actions = o["subscriptions"][0]["actions"]
    assert (actions["update"], actions["cancel"]) == (False, True)
    r = await act(browser, o, "POST", f"/subscriptions/{shop.subscription['id']}/update", price=shop.yearly["id"])
    assert r.status_code == 400


async def test_r9_payment_methods_in_the_portal(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    """R9: the last method stays while a subscription is active; add the new one first, then remove."""
    shop = await s.shop(client)
    o = await sign_in(client, browser, shop.customer["id"])
    old = o["payment_methods"][0]["id"]
    assert o["payment_methods"][0]["removable"] is False
    r = await act(browser, o, "DELETE", f"/payment_methods/{old}")
    assert r.status_code == 400 and "Add a new payment method first" in r.json()["error"]["message"]
    added = await act(browser, o, "POST", "/payment_methods", number="5555555555554444", exp_month=4, exp_year=2031)
    methods = added.json()["payment_methods"]
    new = next(m for m in methods if m["last4"] == "4444")
    assert new["default"] is True  # the new method becomes the default
    assert (await act(browser, o, "DELETE", f"/payment_methods/{old}")).status_code == 200
    customer = (await client.get(f"/v1/customers/{shop.customer['id']}")).json()
    assert customer["invoice_settings"]["default_payment_method"] == new["id"]
    types = [e["type"] for e in (await client.get("/v1/events", params={"limit": 5})).json()["data"]]
    assert "payment_method.detached" in types and "customer.updated" in types


async def test_customer_details_only_as_allowed(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    shop = await s.shop(client)
    o = await sign_in(client, browser, shop.customer["id"])
    assert o["customer"]["editable"] == ["name", "email"]
    r = await act(browser, o, "POST", "/customer", name="Jenny R")
    assert r.json()["customer"]["name"] == "Jenny R"
    r = await act(browser, o, "POST", "/customer", phone="+4670")
    assert (r.status_code, r.json()["error"]["code"]) == (403, "portal_feature_disabled")
    r = await act(browser, o, "POST", "/customer", shoe_size="44")
    assert r.json()["error"]["code"] == "parameter_unknown"


async def test_forged_csrf_and_other_customers_ids_change_nothing(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    shop = await s.shop(client)
    other_customer = await f.customer(client, email="other@example.com")
    theirs = await f.subscription(client, customer_id=other_customer["id"], price_id=shop.monthly["id"])
    o = await sign_in(client, browser, shop.customer["id"])
    r = await browser.post(f"/p/api/subscriptions/{shop.subscription['id']}/cancel", headers={"X-CSRF-Token": "forged"})
    assert (r.status_code, r.json()["error"]["code"]) == (403, "csrf_invalid")
    r = await browser.post(f"/p/api/subscriptions/{shop.subscription['id']}/cancel")
    assert r.status_code == 403
    r = await act(browser, o, "POST", f"/subscriptions/{theirs['id']}/cancel")
    assert r.status_code == 404
    their_pm = (await client.get(f"/v1/customers/{other_customer['id']}")).json()["invoice_settings"][
        "default_payment_method"
    ]
    assert (await act(browser, o, "DELETE", f"/payment_methods/{their_pm}")).status_code == 404
    for sub_id in (shop.subscription["id"], theirs["id"]):
        assert (await client.get(f"/v1/subscriptions/{sub_id}")).json()["cancel_at_period_end"] is False
    assert await f.events(client, "customer.subscription.updated") == []


async def test_r2_test_sessions_never_show_live_data(
    client: httpx.AsyncClient, live_client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    """R2: a test-mode session shows only test-mode objects, even of a customer with the same email."""
    shop = await s.shop(client)
    live_customer = await f.customer(live_client, card=False, email="jenny@example.com")
    live_sub = await f.subscription(
        live_client, customer_id=live_customer["id"], collection_method="send_invoice", days_until_due=7
    )
    o = await sign_in(client, browser, shop.customer["id"])
    assert o["livemode"] is False
    assert [x["id"] for x in o["subscriptions"]] == [shop.subscription["id"]]
    r = await act(browser, o, "POST", f"/subscriptions/{live_sub['id']}/cancel")
    assert r.status_code == 404


async def test_r14_no_pause_today_and_r17_resume_window(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    """R14: never a pause button from 2024-03-29; R17: resuming only until 2024-07-31, pausing only before."""
    clock.at = datetime(2024, 3, 1, 12, tzinfo=UTC)
    shop = await s.shop(client, **{"features[subscription_pause][enabled]": "true"})
    o = await sign_in(client, browser, shop.customer["id"])
    sub = shop.subscription["id"]
    assert o["subscriptions"][0]["actions"]["pause_collection"] is True  # before 2024-03-29 (R17)
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/pause_collection")
    assert r.status_code == 200
    api = (await client.get(f"/v1/subscriptions/{sub}")).json()
    assert api["pause_collection"]["behavior"] == "void" and api["status"] == "active"  # R15
    clock.at = datetime(2024, 5, 1, 12, tzinfo=UTC)
    o = await sign_in(client, browser, shop.customer["id"])
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/pause_collection")
    assert r.json()["error"]["code"] == "pause_not_available"  # R14: no pausing from 2024-03-29
    actions = o["subscriptions"][0]["actions"]
    assert (actions["pause_collection"], actions["resume_collection"]) == (False, True)
    assert (await act(browser, o, "POST", f"/subscriptions/{sub}/resume_collection")).status_code == 200
    assert (await client.get(f"/v1/subscriptions/{sub}")).json()["pause_collection"] is None
    clock.at = datetime(2024, 8, 1, 0, 1, tzinfo=UTC)
    await f.post(client, f"/v1/subscriptions/{sub}", **{"pause_collection[behavior]": "void"})
    o = await sign_in(client, browser, shop.customer["id"])
    actions = o["subscriptions"][0]["actions"]
    assert (actions["pause_collection"], actions["resume_collection"]) == (False, False)
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/resume_collection")
    assert r.json()["error"]["code"] == "resume_not_available"


async def test_invoice_history_only_when_enabled(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    shop = await s.shop(client, **{"features[invoice_history][enabled]": "false"})
    o = await sign_in(client, browser, shop.customer["id"])
    assert o["invoices"] == [] and o["features"]["invoice_history"] is False


async def test_portal_api_bodies_are_typed_and_bad_ones_change_nothing(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    """Found by schemathesis: JSON keeps its types, so the portal API checks them at the door
    (a number is not a name, "2" is not a quantity, null is "leave as is") and answers 400, not 500."""
    shop = await s.shop(
        client,
        **{
            "features[customer_update][allowed_updates][2]": "phone",
            "features[customer_update][allowed_updates][3]": "address",
        },
    )
    o = await sign_in(client, browser, shop.customer["id"])
    r = await act(browser, o, "POST", "/customer", address=None, email=None, name="", phone="")
    assert r.status_code == 200, r.text
    assert (r.json()["customer"]["email"], r.json()["customer"]["name"]) == ("jenny@example.com", None)
    for body, param in (
        ({"name": 5}, "name"),
        ({"address": {"city": 5}}, "address[city]"),
        ({"email": "not-an-email"}, "email"),
        ({"nickname": "x"}, "nickname"),
    ):
        r = await act(browser, o, "POST", "/customer", **body)
        assert (r.status_code, r.json()["error"]["param"]) == (400, param), r.text
    sub = shop.subscription["id"]
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/update", quantity="2")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_integer")
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/cancel", reason=["too_expensive"])
    assert (r.status_code, r.json()["error"]["code"]) == (400, "parameter_invalid_string")
    after = (await browser.get("/p/api/overview")).json()
    assert after["customer"]["name"] is None and after["subscriptions"][0]["cancel_at_period_end"] is False


async def test_the_portal_refuses_what_it_does_not_offer(client: httpx.AsyncClient, browser: httpx.AsyncClient) -> None:
    """One decision for the page and the handlers: a cancellation the merchant scheduled, where the
    portal offers no cancelling, cannot be undone with renew; a second cancel is refused."""
    shop = await s.shop(client, **{"features[subscription_cancel][enabled]": "false"})
    sub = shop.subscription["id"]
    await f.post(client, f"/v1/subscriptions/{sub}", cancel_at_period_end="true")
    o = await sign_in(client, browser, shop.customer["id"])
    assert o["subscriptions"][0]["actions"]["renew"] is False
    r = await act(browser, o, "POST", f"/subscriptions/{sub}/renew")
    assert (r.status_code, r.json()["error"]["code"]) == (400, "subscription_not_renewable")
    assert (await client.get(f"/v1/subscriptions/{sub}")).json()["cancel_at_period_end"] is True
    other = await s.shop(client)
    o2 = await sign_in(client, browser, other.customer["id"], configuration=other.configuration["id"])
    first = await act(browser, o2, "POST", f"/subscriptions/{other.subscription['id']}/cancel")
    second = await act(browser, o2, "POST", f"/subscriptions/{other.subscription['id']}/cancel")
    assert first.status_code == 200 and second.json()["error"]["code"] == "subscription_not_cancelable"


async def test_a_deep_link_session_allows_only_its_flow_until_it_is_done(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    shop = await s.shop(client)
    sub = shop.subscription["id"]
    o = await sign_in(client, browser, shop.customer["id"], **{"flow_data[type]": "payment_method_update"})
    assert o["subscriptions"][0]["actions"]["cancel"] is False and o["customer"]["editable"] == []
    for path, body in ((f"/subscriptions/{sub}/cancel", {}), ("/customer", {"name": "X"})):
        r = await act(browser, o, "POST", path, **body)
        assert (r.status_code, r.json()["error"]["code"]) == (403, "portal_flow_restricted"), path
    assert (await client.get(f"/v1/subscriptions/{sub}")).json()["cancel_at_period_end"] is False
    done = await act(browser, o, "POST", "/payment_methods", token="pm_card_mastercard")
    assert done.status_code == 200 and done.json()["subscriptions"][0]["actions"]["cancel"] is True
    assert (await act(browser, o, "POST", f"/subscriptions/{sub}/cancel")).status_code == 200
