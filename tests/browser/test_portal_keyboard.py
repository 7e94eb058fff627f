"""The main flows with the keyboard alone (WCAG 2.1.1): cancel and renew, change plan, add a card
and remove the old one. Only Tab, arrow keys, Space, Enter and typing; each focused control shows
its focus (WCAG 2.4.7)."""

from __future__ import annotations

import re

import httpx
from playwright.async_api import Error, Page, expect

from tests.portal import shop as s

FOCUSED = """() => {
  const el = document.activeElement;
  const style = getComputedStyle(el);
  return {text: (el.innerText || el.value || '').trim(), label: el.labels && el.labels[0] ? el.labels[0].innerText.trim() : '',
          tag: el.tagName, outline: style.outlineStyle};
}"""


async def tab_to(page: Page, pattern: str, limit: int = 80) -> None:
    """Tab forward until the focused control's text or label matches; its focus must show."""
    await page.wait_for_load_state()
    for _ in range(limit):
        await page.keyboard.press("Tab")
        try:
            focused = await page.evaluate(FOCUSED)
        except Error:  # the key before this one started a navigation: start again on the new page
            await page.wait_for_load_state()
            continue
        if focused["tag"] == "BODY":
            continue
        if re.search(pattern, focused["text"]) or re.search(pattern, focused["label"]):
            assert focused["outline"] != "none", focused
            return
    raise AssertionError(f"no control matching {pattern!r} in {limit} tabs")


async def test_cancel_renew_and_change_plan_by_keyboard(page: Page, merchant: httpx.AsyncClient) -> None:
    shop = await s.shop(merchant)
    await page.goto((await s.session(merchant, shop.customer["id"]))["url"])
    await tab_to(page, "^Cancel subscription$")
    await page.keyboard.press("Enter")
    await tab_to(page, "^It's too expensive$")
    await page.keyboard.press("Space")
    await tab_to(page, "^Cancel subscription$")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("notice")).to_contain_text("will be canceled at the end")
    sub = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()
    assert sub["cancel_at_period_end"] and sub["cancellation_details"]["feedback"] == "too_expensive"
    await tab_to(page, "^Renew subscription$")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("notice")).to_have_text("Your subscription will continue.")

    await tab_to(page, "^Update subscription$")
    await page.keyboard.press("Enter")
    await tab_to(page, r"\$10\.00 per month")  # the radio group, on the current plan
    await page.keyboard.press("ArrowDown")  # the yearly plan
    await tab_to(page, "^Continue$")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("new-amount")).to_contain_text("$100.00 per year")
    await tab_to(page, "^Confirm$")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("notice")).to_have_text("Your subscription has been updated.")
    item = (await merchant.get(f"/v1/subscriptions/{shop.subscription['id']}")).json()["items"]["data"][0]
    assert item["price"]["id"] == shop.yearly["id"]


async def test_add_a_card_and_remove_the_old_one_by_keyboard(page: Page, merchant: httpx.AsyncClient) -> None:
    shop = await s.shop(merchant)
    await page.goto((await s.session(merchant, shop.customer["id"]))["url"])
    await tab_to(page, "^Add payment method$")
    await page.keyboard.press("Enter")
    await tab_to(page, "^Card number$")
    await page.keyboard.type("5555 5555 5555 4444")
    await page.keyboard.press("Tab")
    await page.keyboard.type("12")
    await page.keyboard.press("Tab")
    await page.keyboard.type("2031")
    await tab_to(page, "^Add$")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("notice")).to_have_text("Your payment method has been added.")
    await tab_to(page, r"^Remove\s+Visa")
    await page.keyboard.press("Enter")
    await tab_to(page, "^Remove$")
    await page.keyboard.press("Enter")
    await expect(page.get_by_test_id("notice")).to_have_text("The payment method has been removed.")
    methods = (await merchant.get(f"/v1/customers/{shop.customer['id']}/payment_methods")).json()["data"]
    assert [m["card"]["last4"] for m in methods] == ["4444"]
