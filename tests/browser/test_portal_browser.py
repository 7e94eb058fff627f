"""The hosted portal in a real browser, as a customer uses it (R1, R3-R5, R9, R11, flows, Swedish)."""

from __future__ import annotations

import re
from typing import Any

import httpx
from playwright.async_api import Page, expect

from tests import factories as f
from tests.browser.conftest import screenshot
from tests.conftest import LiveServer
from tests.portal import shop as s


async def _shop(merchant: httpx.AsyncClient, **extra: Any) -> s.Shop:
    await f.post(
        merchant,
        "/v1/account",
        **{"settings[branding][primary_color]": "#5b2a86", "business_profile[name]": "Browser Shop"},
    )
    return await s.shop(merchant, **extra)


async def test_r1_cancel_with_a_reason_then_switch_plan(page: Page, merchant: httpx.AsyncClient) -> None:
    """R1/R11: the branded portal lists the subscription; cancel with a reason; undo; switch plan with a preview."""
    shop = await _shop(merchant)
    session = await s.session(merchant, shop.customer["id"])
    await page.goto(session["url"])
    await expect(page.get_by_role("heading", name="Current subscription")).to_be_visible()
    await expect(page.get_by_text("Manage your plan")).to_be_visible()
    header_colour = await page.eval_on_selector("header.brand", "el => getComputedStyle(el).backgroundColor")
    assert header_colour == "rgb(91, 42, 134)"
    await expect(page.get_by_role("button", name=re.compile("create|subscribe", re.I))).to_have_count(0)  # R3
    await screenshot(page, "portal-home")

    await page.get_by_role("link", name="Cancel subscription").click()
    await expect(page.get_by_test_id("cancel-terms")).to_contain_text(
        "still available until the end of your billing period"
    )
    await page.get_by_label("It's too expensive").check()
    await page.get_by_role("button", name="Cancel subscription").click()
    await expect(page.get_by_test_id("notice")).to_have_text(
        "Your subscription will be canceled at the end of the billing period."
    )
    api = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()
    assert api["cancel_at_period_end"] is True and api["cancellation_details"]["feedback"] == "too_expensive"
    await page.get_by_role("button", name="Renew subscription").click()
    await expect(page.get_by_test_id("notice")).to_have_text("Your subscription will continue.")

    await page.get_by_role("link", name="Update subscription").click()
    await page.get_by_label(re.compile(r"\$100\.00 per year")).check()
    await page.get_by_role("button", name="Continue").click()
    await expect(page.get_by_test_id("new-amount")).to_have_text(re.compile(r"\$100\.00 per year"))
    await screenshot(page, "portal-update-preview")
    await page.get_by_role("button", name="Confirm").click()
    await expect(page.get_by_test_id("notice")).to_have_text("Your subscription has been updated.")
    await expect(page.locator(".price").filter(has_text=re.compile(r"\$100\.00 per year"))).to_be_visible()
    item = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()["items"]["data"][0]
    assert item["price"]["id"] == shop.yearly["id"]
    updates = await f.events(merchant, "customer.subscription.updated")
    assert len(updates) == 3  # cancel, undo, switch: one each (R18)


async def test_r9_add_a_card_then_remove_the_old_one(page: Page, merchant: httpx.AsyncClient) -> None:
    """R9: removing the last card is refused with a clear message; add a new one, then removing works."""
    shop = await _shop(merchant)
    old = (await merchant.get(f"/v1/customers/{shop.customer['id']}")).json()["invoice_settings"][
        "default_payment_method"
    ]
    await page.goto((await s.session(merchant, shop.customer["id"]))["url"])
    await page.get_by_test_id(f"remove-{old}").click()
    await expect(page.get_by_test_id("not-removable")).to_contain_text("Add a new payment method first")
    await expect(page.get_by_role("button", name="Remove")).to_have_count(0)
    await screenshot(page, "portal-r9-refusal")
    await page.get_by_role("link", name="Add payment method").click()
    await page.get_by_label("Card number").fill("5555 5555 5555 4444")
    await page.get_by_label("Expiry month").fill("12")
    await page.get_by_label("Expiry year").fill("2031")
    await page.get_by_role("button", name="Add", exact=True).click()
    await expect(page.get_by_test_id("notice")).to_have_text("Your payment method has been added.")
    await expect(page.get_by_text(re.compile("Mastercard •••• 4444")).first).to_be_visible()
    await page.get_by_test_id(f"remove-{old}").click()
    await page.get_by_role("button", name="Remove").click()
    await expect(page.get_by_test_id("notice")).to_have_text("The payment method has been removed.")
    await expect(page.get_by_text(re.compile("Visa •••• 4242"))).to_have_count(0)
    methods = (await merchant.get(f"/v1/customers/{shop.customer['id']}/payment_methods")).json()["data"]
    assert [m["card"]["last4"] for m in methods] == ["4444"]


async def test_r4_cancel_only_subscription_shows_its_reason(page: Page, merchant: httpx.AsyncClient) -> None:
    """R4: a subscription paid by invoice offers cancellation only and says why."""
    shop = await _shop(merchant)
    await f.subscription(
        merchant,
        customer_id=shop.customer["id"],
        price_id=shop.monthly["id"],
        collection_method="send_invoice",
        days_until_due=7,
    )
    await page.goto((await s.session(merchant, shop.customer["id"]))["url"])
    limited = page.get_by_test_id("limitations")
    await expect(limited).to_contain_text("This subscription can only be canceled here")
    await expect(limited).to_contain_text("It is paid by invoice.")
    await expect(page.get_by_role("link", name="Update subscription")).to_have_count(1)  # only the other one
    await screenshot(page, "portal-cancel-only")


async def test_swedish(page: Page, merchant: httpx.AsyncClient) -> None:
    shop = await _shop(merchant)
    await page.goto((await s.session(merchant, shop.customer["id"], locale="sv"))["url"])
    await expect(page.get_by_role("heading", name="Nuvarande abonnemang")).to_be_visible()
    await expect(page.get_by_role("heading", name="Betalningsmetoder")).to_be_visible()
    await expect(page.get_by_role("link", name="Avsluta abonnemang")).to_be_visible()
    await expect(page.locator(".price").first).to_contain_text("per månad")
    assert await page.get_attribute("html", "lang") == "sv"
    await screenshot(page, "portal-home-sv")


async def test_used_link_shows_the_expired_page(page: Page, merchant: httpx.AsyncClient) -> None:
    """after_expiration=customer_login: the used link leads to the login page, the email filled in."""
    shop = await _shop(merchant, **{"login_page[enabled]": "true"})
    session = await s.session(
        merchant,
        shop.customer["id"],
        configuration=shop.configuration["id"],
        **{"after_expiration[type]": "customer_login"},
    )
    await page.goto(session["url"])
    other = await page.context.new_page()
    await other.context.clear_cookies()
    await other.goto(session["url"])
    await expect(other.get_by_role("heading", name="This link has expired")).to_be_visible()
    await other.get_by_role("link", name="Sign in again").click()
    await expect(other.get_by_label("Email")).to_have_value(shop.customer["email"])


async def test_flow_payment_method_update_redirects(
    page: Page, merchant: httpx.AsyncClient, live_server: LiveServer
) -> None:
    shop = await _shop(merchant)
    back = f"{live_server.base_url}/healthz?from=portal"
    session = await s.session(
        merchant,
        shop.customer["id"],
        **{
            "flow_data[type]": "payment_method_update",
            "flow_data[after_completion][type]": "redirect",
            "flow_data[after_completion][redirect][return_url]": back,
        },
    )
    await page.goto(session["url"])
    await expect(page.get_by_role("heading", name="Current subscription")).to_have_count(0)  # only the flow's step
    await page.get_by_label("Card number").fill("4000056655665556")
    await page.get_by_label("Expiry month").fill("1")
    await page.get_by_label("Expiry year").fill("2032")
    await page.get_by_role("button", name="Add", exact=True).click()
    await page.wait_for_url(back)
    customer = (await merchant.get(f"/v1/customers/{shop.customer['id']}")).json()
    default = (
        await merchant.get(f"/v1/payment_methods/{customer['invoice_settings']['default_payment_method']}")
    ).json()
    assert default["card"]["funding"] == "debit"


async def test_flow_subscription_cancel_hosted_confirmation(page: Page, merchant: httpx.AsyncClient) -> None:
    shop = await _shop(merchant)
    session = await s.session(
        merchant,
        shop.customer["id"],
        **{
            "flow_data[type]": "subscription_cancel",
            "flow_data[subscription_cancel][subscription]": shop.subscription["id"],
            "flow_data[after_completion][type]": "hosted_confirmation",
            "flow_data[after_completion][hosted_confirmation][custom_message]": "Sorry to see you go.",
        },
    )
    await page.goto(session["url"])
    await page.get_by_role("button", name="Cancel subscription").click()
    await expect(page.get_by_text("Sorry to see you go.")).to_be_visible()
    await screenshot(page, "portal-flow-confirmation")
    assert (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()["cancel_at_period_end"] is True


async def test_flow_subscription_update_then_portal_homepage(page: Page, merchant: httpx.AsyncClient) -> None:
    shop = await _shop(merchant)
    session = await s.session(
        merchant,
        shop.customer["id"],
        **{
            "flow_data[type]": "subscription_update",
            "flow_data[subscription_update][subscription]": shop.subscription["id"],
            "flow_data[after_completion][type]": "portal_homepage",
        },
    )
    await page.goto(session["url"])
    await page.get_by_label(re.compile(r"\$100\.00 per year")).check()
    await page.get_by_role("button", name="Continue").click()
    await page.get_by_role("button", name="Confirm").click()
    await expect(page.get_by_role("heading", name="Current subscription")).to_be_visible()  # the whole portal now
    item = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()["items"]["data"][0]
    assert item["price"]["id"] == shop.yearly["id"]


async def test_flow_subscription_update_confirm(
    page: Page, merchant: httpx.AsyncClient, live_server: LiveServer
) -> None:
    shop = await _shop(merchant)
    back = f"{live_server.base_url}/healthz?confirmed=1"
    session = await s.session(
        merchant,
        shop.customer["id"],
        **{
            "flow_data[type]": "subscription_update_confirm",
            "flow_data[subscription_update_confirm][subscription]": shop.subscription["id"],
            "flow_data[subscription_update_confirm][items][0][id]": shop.subscription["items"]["data"][0]["id"],
            "flow_data[subscription_update_confirm][items][0][price]": shop.yearly["id"],
            "flow_data[after_completion][type]": "redirect",
            "flow_data[after_completion][redirect][return_url]": back,
        },
    )
    await page.goto(session["url"])
    await expect(page.get_by_test_id("new-amount")).to_contain_text("$100.00 per year")  # the review first
    await page.get_by_role("button", name="Confirm").click()
    await page.wait_for_url(back)
    item = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()["items"]["data"][0]
    assert item["price"]["id"] == shop.yearly["id"]


async def test_the_review_shows_the_amount_due_and_the_invoice_that_follows_has_it(
    page: Page, merchant: httpx.AsyncClient
) -> None:
    """Issue 17: the change review shows the amount due today with its proration lines and the next
    invoice; after confirming, the invoice the change made has exactly that amount."""
    shop = await _shop(merchant, **{"features[subscription_update][proration_behavior]": "always_invoice"})
    session = await s.session(merchant, shop.customer["id"])
    await page.goto(session["url"])
    await page.get_by_role("link", name="Update subscription").click()
    await page.get_by_label(re.compile(r"\$100\.00 per year")).check()
    await page.get_by_role("button", name="Continue").click()
    due = page.get_by_test_id("due-today")
    await expect(due).to_have_text(re.compile(r"\$\d+\.\d\d"))
    shown = (await due.inner_text()).strip()
    await expect(page.locator("[data-proration=true]")).to_have_count(1)  # the unused month, credited
    await expect(page.get_by_test_id("next-amount")).to_have_text("$100.00")
    await screenshot(page, "portal-review-amount-due")
    await page.get_by_role("button", name="Confirm").click()
    await expect(page.locator(".price").filter(has_text=re.compile(r"\$100\.00 per year"))).to_be_visible()
    sub = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()
    invoice = (await merchant.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    assert f"${invoice['amount_due'] // 100}.{invoice['amount_due'] % 100:02d}" == shown
    assert invoice["amount_paid"] == invoice["amount_due"] and invoice["billing_reason"] == "subscription_update"
