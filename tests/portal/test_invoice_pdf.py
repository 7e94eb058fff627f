"""The invoice PDF in the customer's language and script: the hosted page's words, the locale's
dates and money, and names in any script printed with an embedded font (no '?')."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from app.portal import i18n, pdf_fonts
from tests.factories import customer, post, price, subscription
from tests.pdf_text import fonts_of, sizes_of, text_of


async def _pdf(client: httpx.AsyncClient, product: str, **customer_fields: Any) -> tuple[dict[str, Any], bytes]:
    await post(client, "/v1/account", **{"business_profile[name]": "Магазин Ромашка"})
    made = (await post(client, "/v1/products", name=product))["id"]
    cust = await customer(client, name="Jenny Rosen", **customer_fields)
    sub = await subscription(client, customer_id=cust["id"], price_id=(await price(client, product=made))["id"])
    invoice = (await client.get(f"/v1/invoices/{sub['latest_invoice']}")).json()
    r = await client.get(invoice["invoice_pdf"].replace("http://portal.test", ""))
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    return invoice, r.content


async def test_a_russian_customer_gets_a_russian_pdf_with_cyrillic_names(client: httpx.AsyncClient) -> None:
    invoice, content = await _pdf(client, "Подписка Золото", **{"preferred_locales[0]": "ru"})
    text = text_of(content)
    t = i18n.translator("ru")
    assert "Магазин Ромашка" in text and "Подписка Золото" in text  # the merchant's and the product's names
    assert t("Invoice %(number)s", number=invoice["number"]) in text and t("Amount due") in text
    assert t.money(invoice["amount_due"], "usd") in text and t.date(invoice["created"]) in text
    assert "?" not in text  # nothing fell outside the fonts


async def test_an_english_pdf_is_english(client: httpx.AsyncClient) -> None:
    _invoice, content = await _pdf(client, "Gold")
    text = text_of(content)
    assert "Gold" in text and "Amount due" in text and "Date of issue" in text and "$10.00" in text


async def test_hebrew_and_arabic_names_are_embedded_with_fonts_that_have_them(client: httpx.AsyncClient) -> None:
    _invoice, content = await _pdf(client, "מנוי זהב والذهب", **{"preferred_locales[0]": "he"})
    fonts = fonts_of(content)
    assert any("Heebo" in f for f in fonts) and any("NotoSansArabic" in f for f in fonts), fonts
    text = text_of(content)
    assert i18n.translator("he")("Amount due") in text or "לתשלום" in text


async def test_latin_after_right_to_left_text_keeps_its_size(client: httpx.AsyncClient) -> None:
    """After the Arabic title (18 pt, its words in the Arabic font), the customer's Latin name
    is drawn at the table's 11 pt: fpdf2 once drew it at the title's size (invoice_pdf._style)."""
    _invoice, content = await _pdf(client, "Gold", **{"preferred_locales[0]": "ar"})
    sizes = sizes_of(content)
    assert sizes["Jenny Rosen"] == 11 and sizes["Магазин Ромашка"] == 14


async def test_japanese_names_use_the_systems_cjk_font(client: httpx.AsyncClient) -> None:
    """CJK fonts are the system's (README, Docker image); `make browser` installs them here."""
    if pdf_fonts.font_file(pdf_fonts.FALLBACKS[-1]) is None:
        pytest.skip("no CJK font on this machine: sudo apt-get install fonts-noto-cjk")
    _invoice, content = await _pdf(client, "ゴールドプラン", **{"preferred_locales[0]": "ja"})
    assert any("CJK" in f for f in fonts_of(content))
    assert "ゴールドプラン" in text_of(content)


def test_only_the_scripts_a_text_has_add_fonts() -> None:
    assert pdf_fonts.needed("Invoice Łódź Ελλάδα Москва Hà Nội") == []
    assert [f.family for f in pdf_fonts.needed("שלום مرحبا")] == ["Noto Sans Arabic", "Heebo"]
    assert [f.family for f in pdf_fonts.needed("สวัสดี 你好")] == ["Noto Sans Thai", "system:ja"]
