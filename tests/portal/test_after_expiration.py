"""Stripe's `after_expiration` on portal sessions: after the session URL is used up or expires,
the customer can sign in again through the configuration's login page (their email filled in),
until `customer_login.expires_at` if one is given; otherwise the page only leads back to the
merchant. https://docs.stripe.com/changelog/endive/2026-10-28/session-recovery-for-expired-customer-portal-sessions
"""

from __future__ import annotations

import httpx

from app.clock import FixedClock
from app.objects.version import DAHLIA
from tests.portal import shop as s


async def _expired_page(client: httpx.AsyncClient, browser: httpx.AsyncClient, customer: str, **extra: str) -> str:
    session = await s.session(client, customer, **extra)
    assert (await browser.get(s.path(session["url"]))).status_code == 303
    again = await browser.get(s.path(session["url"]))
    assert again.status_code == 410
    return again.text


async def test_recovery_leads_to_the_login_page_with_the_customers_email(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    shop = await s.shop(client, **{"login_page[enabled]": "true"})
    session = await s.session(
        client,
        shop.customer["id"],
        configuration=shop.configuration["id"],
        **{"after_expiration[type]": "customer_login"},
    )
    assert session["after_expiration"] == {"customer_login": {"expires_at": None}, "type": "customer_login"}
    text = await _expired_page(
        client,
        browser,
        shop.customer["id"],
        configuration=shop.configuration["id"],
        **{"after_expiration[type]": "customer_login"},
    )
    login_url = shop.configuration["login_page"]["url"]
    assert f'href="{login_url}?prefilled_email=' in text and 'data-testid="sign-in-again"' in text
    login = await browser.get(s.path(login_url), params={"prefilled_email": shop.customer["email"]})
    assert login.status_code == 200 and f'value="{shop.customer["email"]}"' in login.text


async def test_recovery_ends_at_expires_at(
    client: httpx.AsyncClient, browser: httpx.AsyncClient, clock: FixedClock
) -> None:
    shop = await s.shop(client, **{"login_page[enabled]": "true"})
    deadline = str(int(clock.now().timestamp()) + 3600)
    params = {"after_expiration[type]": "customer_login", "after_expiration[customer_login][expires_at]": deadline}
    session = await s.session(client, shop.customer["id"], configuration=shop.configuration["id"], **params)
    assert (await browser.get(s.path(session["url"]))).status_code == 303
    assert 'data-testid="sign-in-again"' in (await browser.get(s.path(session["url"]))).text
    clock.advance(minutes=61)
    late = await browser.get(s.path(session["url"]))
    assert late.status_code == 410 and 'data-testid="sign-in-again"' not in late.text
    assert "Ask the business for a new link" in late.text


async def test_without_after_expiration_or_login_page_the_page_only_leads_back(
    client: httpx.AsyncClient, browser: httpx.AsyncClient
) -> None:
    with_page = await s.shop(client, **{"login_page[enabled]": "true"})
    plain = await _expired_page(client, browser, with_page.customer["id"], configuration=with_page.configuration["id"])
    assert 'data-testid="sign-in-again"' not in plain and "https://shop.example/account" in plain
    without_page = await s.shop(client)
    off = await _expired_page(
        client,
        browser,
        without_page.customer["id"],
        configuration=without_page.configuration["id"],
        **{"after_expiration[type]": "customer_login"},
    )
    assert 'data-testid="sign-in-again"' not in off and "Ask the business for a new link" in off


async def test_a_deadline_in_the_past_is_refused_by_name(client: httpx.AsyncClient, clock: FixedClock) -> None:
    shop = await s.shop(client)
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={
            "customer": shop.customer["id"],
            "after_expiration[type]": "customer_login",
            "after_expiration[customer_login][expires_at]": str(int(clock.now().timestamp()) - 1),
        },
    )
    assert r.status_code == 400
    assert r.json()["error"]["param"] == "after_expiration[customer_login][expires_at]"
    unknown = await client.post(
        "/v1/billing_portal/sessions", data={"customer": shop.customer["id"], "after_expiration[type]": "magic"}
    )
    assert unknown.status_code == 400 and unknown.json()["error"]["param"] == "after_expiration[type]"


async def test_dahlia_does_not_have_after_expiration(client: httpx.AsyncClient) -> None:
    shop = await s.shop(client)
    r = await client.post(
        "/v1/billing_portal/sessions",
        data={"customer": shop.customer["id"], "after_expiration[type]": "customer_login"},
        headers={"Stripe-Version": DAHLIA},
    )
    assert r.status_code == 200 and "after_expiration" not in r.json()
    assert r.json()["id"].startswith("bps_")
