"""Every screen a customer sees, in English, Swedish, German, Japanese, Russian, Arabic and Hebrew
(right to left), on a phone and a desktop: each passes axe-core's WCAG 2.2 A/AA rules with no
violation, is in the visit's language and direction, and is written as a screenshot for review (var/screenshots/)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import httpx
import pytest
from playwright.async_api import Browser, Page, expect

from tests import factories as f
from tests.browser.conftest import accessible, screenshot
from tests.conftest import PG
from tests.portal import shop as s

SIZES = {"phone": {"width": 390, "height": 844}, "desktop": {"width": 1280, "height": 900}}
# The locale, the page's direction, and a word each screen must show in it (the home heading).
LOCALES = {
    "en": ("ltr", "Current subscription"),
    "sv": ("ltr", "Nuvarande abonnemang"),
    "de": ("ltr", "Aktuelles Abonnement"),
    "ar": ("rtl", "الاشتراك الحالي"),
    "he": ("rtl", "המינוי הנוכחי"),
    "ja": ("ltr", "現在のサブスクリプション"),  # a script without spaces between words
    "ru": ("ltr", "Текущая подписка"),  # long words in narrow columns
}
EVERYTHING = {
    "login_page[enabled]": "true",
    "features[customer_update][allowed_updates][2]": "address",
    "features[customer_update][allowed_updates][3]": "phone",
    "features[customer_update][allowed_updates][4]": "shipping",
    "features[customer_update][allowed_updates][5]": "tax_id",
}


@dataclass
class Scene:
    shop: s.Shop
    invoice: dict[str, Any]
    payment_method: str
    offer_session: str


async def _scene(merchant: httpx.AsyncClient) -> Scene:
    await f.post(
        merchant,
        "/v1/account",
        **{
            "business_profile[name]": "Screens Shop",
            "business_profile[support_email]": "help@screens.example",
            "business_profile[support_address][line1]": "Storgatan 1",
            "business_profile[support_address][city]": "Stockholm",
            "business_profile[support_address][postal_code]": "111 22",
            "business_profile[support_address][country]": "SE",
        },
    )
    shop = await s.shop(merchant, **EVERYTHING)
    customer = shop.customer["id"]
    await f.post(merchant, f"/v1/customers/{customer}/tax_ids", type="eu_vat", value="SE556677889901")
    await f.post(merchant, "/v1/invoiceitems", customer=customer, amount="2500", currency="usd", description="Setup")
    draft = await f.post(
        merchant,
        "/v1/invoices",
        customer=customer,
        collection_method="send_invoice",
        days_until_due="30",
        pending_invoice_items_behavior="include",
    )
    invoice = await f.post(merchant, f"/v1/invoices/{draft['id']}/finalize")
    assert (invoice["status"], invoice["amount_remaining"]) == ("open", 2500)
    coupon = await f.post(merchant, "/v1/coupons", percent_off="25", duration="repeating", duration_in_months="3")
    pm = (await merchant.get(f"/v1/customers/{customer}")).json()["invoice_settings"]["default_payment_method"]
    return Scene(shop, invoice, pm, coupon["id"])


@pytest.fixture
async def scene(merchant: httpx.AsyncClient) -> Scene:
    return await _scene(merchant)


async def _context_page(chromium: Browser, size: str, locale: str) -> Page:
    context = await chromium.new_context(viewport=SIZES[size], locale=locale)  # type: ignore[arg-type]
    return await context.new_page()


async def _check(page: Page, axe_source: str, name: str, locale: str, direction: str) -> None:
    await expect(page.locator("html")).to_have_attribute("lang", locale)
    await expect(page.locator("html")).to_have_attribute("dir", direction)
    await accessible(page, axe_source)
    await screenshot(page, name)


# What a screen looks like does not depend on the database: CI's PostgreSQL pass checks one
# left-to-right, one right-to-left and one CJK language (the SQLite pass checks them all).
SHOWN = [x for x in LOCALES if not PG or x in ("en", "ar", "ja")]


@pytest.mark.parametrize("size", list(SIZES))
@pytest.mark.parametrize("locale", SHOWN)
async def test_every_screen_is_accessible_in_its_language(
    chromium: Browser, size: str, locale: str, merchant: httpx.AsyncClient, scene: Scene, axe_source: str
) -> None:
    direction, heading = LOCALES[locale]
    page = await _context_page(chromium, size, locale)
    shop, sub = scene.shop, scene.shop.subscription["id"]

    async def shot(screen: str) -> None:
        await _check(page, axe_source, f"portal-{screen}-{locale}-{size}", locale, direction)

    session = await s.session(merchant, shop.customer["id"], locale=locale, configuration=shop.configuration["id"])
    await page.goto(session["url"])
    await expect(page.get_by_role("heading", name=heading)).to_be_visible()
    await shot("home")
    for screen, path in [
        ("update", f"/p/subscriptions/{sub}/update"),
        ("review", f"/p/subscriptions/{sub}/update?price={shop.yearly['id']}&quantity=1"),
        ("cancel", f"/p/subscriptions/{sub}/cancel"),
        ("add-card", "/p/payment_methods/new"),
        ("remove-card", f"/p/payment_methods/{scene.payment_method}/remove"),
        ("details", "/p/customer"),
        ("pay", f"/p/invoices/{scene.invoice['id']}/pay"),
    ]:
        await page.goto(f"{_origin(session['url'])}{path}")
        await expect(page.locator("main h1")).to_be_visible()
        await expect(page.get_by_role("alert")).to_have_count(0)  # the screen itself, not a refusal
        await shot(screen)
    await page.goto(scene.invoice["hosted_invoice_url"])
    await expect(page.get_by_test_id("merchant")).to_contain_text("Storgatan 1")
    await shot("invoice")

    offer = await s.session(
        merchant,
        shop.customer["id"],
        locale=locale,
        configuration=shop.configuration["id"],
        **{
            "flow_data[type]": "subscription_cancel",
            "flow_data[subscription_cancel][subscription]": sub,
            "flow_data[subscription_cancel][retention][type]": "coupon_offer",
            "flow_data[subscription_cancel][retention][coupon_offer][coupon]": scene.offer_session,
        },
    )
    await page.goto(offer["url"])
    await expect(page.get_by_test_id("retention-offer")).to_be_visible()
    await shot("cancel-offer")
    await page.goto(offer["url"])  # used once already
    await expect(page.locator("main h1")).to_be_visible()
    await shot("expired")

    await page.context.clear_cookies()
    await page.goto(shop.configuration["login_page"]["url"])
    await shot("login")
    await page.get_by_role("textbox").fill("nobody@example.com")
    await page.get_by_role("button").click()
    await expect(page.get_by_test_id("sent")).to_be_visible()
    await shot("login-code")
    await page.context.close()


def _origin(url: str) -> str:
    match = re.match(r"https?://[^/]+", url)
    assert match
    return match.group(0)


async def test_axe_finds_what_it_should(chromium: Browser, axe_source: str) -> None:
    """The check above can fail: a page with an unlabelled field and an image without alt text."""
    page = await (await chromium.new_context()).new_page()
    await page.set_content('<html lang="en"><title>x</title><main><img src="data:,"><input></main></html>')
    try:
        await accessible(page, axe_source)
    except AssertionError as refused:
        assert "image-alt" in str(refused) and "label" in str(refused)
    else:
        raise AssertionError("axe found nothing on an inaccessible page")
    await page.context.close()
