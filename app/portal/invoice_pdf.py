"""An invoice as a real PDF document (fpdf2), in the customer's language and script.

The words are the hosted invoice page's (the same catalogs), dates and money the locale's; the
layout is mirrored for a right-to-left language. Fonts: `pdf_fonts`.
"""

from __future__ import annotations

import io
import logging
from typing import Any

from fpdf import FPDF
from fpdf.enums import Align

from app.portal import labels, pdf_fonts
from app.portal.i18n import Translator

log = logging.getLogger("portal.pdf")

FAMILY = "invoice"
WIDE = 130  # the description column (mm); the amount takes the rest of the line


def page_size(invoice: dict[str, Any]) -> str:
    """`rendering.pdf.page_size`: as chosen, or (auto) Letter for a customer in the US or Canada,
    A4 elsewhere, as Stripe picks it."""
    chosen = ((invoice.get("rendering") or {}).get("pdf") or {}).get("page_size") or "auto"
    if chosen != "auto":
        return str(chosen)
    country = (invoice.get("customer_address") or {}).get("country")
    return "letter" if country in ("US", "CA") else "a4"


def _shipping(shipping: dict[str, Any] | None) -> str:
    if not shipping:
        return ""
    address = shipping.get("address") or {}
    parts = [shipping.get("name"), address.get("line1"), address.get("postal_code"), address.get("city")]
    return ", ".join(str(p) for p in parts if p)


class _Page:
    """Rows of a label (or description) and a value (or amount), in the reading direction."""

    def __init__(self, pdf: FPDF, rtl: bool) -> None:
        self.pdf, self.rtl = pdf, rtl

    def text(self, text: str, *, size: float = 11, strong: bool = False, height: float = 7, data: bool = False) -> None:
        """A line of our words, or (`data`) of the merchant's or customer's: a name, an address."""
        self._style(size, strong)
        self._direction(data)
        self.pdf.multi_cell(0, height, text, align="R" if self.rtl else "L", new_x="LMARGIN", new_y="NEXT")

    def row(
        self,
        left: str,
        right: str,
        *,
        strong: bool = False,
        rule: bool = False,
        data: tuple[bool, bool] = (False, False),
    ) -> None:
        """`left` in the wide column, `right` at the line's end; swapped for right to left. `data`:
        which of the two is the merchant's or customer's text (a product's name), not our words."""
        self._style(11, strong)
        border = "B" if rule else ""
        if self.rtl:
            self._direction(data[1])
            self.pdf.cell(self.pdf.epw - WIDE, 8, right, border=border, align="L")
            self._direction(data[0])
            self.pdf.cell(WIDE, 8, left, border=border, align="R", new_x="LMARGIN", new_y="NEXT")
        else:
            self.pdf.cell(WIDE, 8, left, border=border)
            self.pdf.cell(0, 8, right, border=border, align="R", new_x="LMARGIN", new_y="NEXT")

    def _direction(self, data: bool) -> None:
        """A right-to-left page reads our words right to left; data takes the direction of its
        first letter (the Unicode bidi rule), so `111 22 Stockholm` stays in its order."""
        if self.rtl:
            self.pdf.set_text_shaping(True, direction=None if data else "rtl")

    def _style(self, size: float, strong: bool) -> None:
        # The fonts are used at their regular weight (see pdf_fonts): emphasis is size.
        size = size + 1 if strong else size
        # fpdf2 (2.8.9) believes a cell that began in a fallback font left the page in the main one,
        # but a font set in a text object outlives it: the next text in the main font came out in
        # the wrong size. Setting the size anew makes fpdf2 state the font again before each cell
        # (tests/portal/test_invoice_pdf.py shows the sizes).
        self.pdf.set_font(FAMILY, size=size + 1)
        self.pdf.set_font(FAMILY, size=size)


def _document(invoice: dict[str, Any], t: Translator, texts: str) -> FPDF:
    pdf = FPDF(format="letter" if page_size(invoice) == "letter" else "A4")
    first = pdf_fonts.base()
    pdf.add_font(FAMILY, fname=first.path)
    fallbacks = []
    shaped = t.direction == "rtl"
    for n, fallback in enumerate(pdf_fonts.needed(texts)):
        found = pdf_fonts.font_file(fallback)
        if found is not None:
            pdf.add_font(f"fallback{n}", fname=found.path, collection_font_number=found.index)
            fallbacks.append(f"fallback{n}")
            shaped = shaped or fallback.shaped
    if fallbacks:
        pdf.set_fallback_fonts(fallbacks)
    if shaped:
        # HarfBuzz joins Arabic letters and places Thai marks; fpdf2 then orders the line by the
        # Unicode bidi algorithm. Only then, as shaping costs time on every line.
        pdf.set_text_shaping(True, direction="rtl" if t.direction == "rtl" else None)
    return pdf


def _logo(pdf: FPDF, image: bytes, *, rtl: bool) -> None:
    """At most 16 mm high and 60 mm wide, at the start of the line; an image fpdf2 cannot read
    (a broken file behind the URL) is left out."""
    start = pdf.get_y()
    try:
        info = pdf.image(io.BytesIO(image), x=Align.R if rtl else Align.L, y=start, w=60, h=16, keep_aspect_ratio=True)
    except Exception as exc:  # Pillow and fpdf2 raise many kinds for a bad image
        log.warning("the merchant's logo could not be read: %s", exc)
        return
    pdf.set_y(start + float(info.rendered_height) + 3)


def invoice_pdf(invoice: dict[str, Any], t: Translator, logo: bytes | None = None) -> bytes:
    """The document, with the merchant's `logo` (image bytes, app/portal/logos.py) when there is
    one; CPU-bound for tens of milliseconds (font subsetting): callers run it off the event loop."""
    currency = invoice["currency"]
    merchant = invoice.get("merchant") or {}
    number = invoice.get("number") or invoice["id"]
    billed = invoice.get("customer_name") or invoice.get("customer_email") or invoice["customer"]
    details = [
        (t("Status"), t(labels.INVOICE_STATUS.get(invoice["status"], invoice["status"]))),
        (t("Billed to"), str(billed)),
        (t("Tax ID"), ", ".join(x["value"] for x in invoice.get("customer_tax_ids") or [])),
        (t("Shipping address"), _shipping(invoice.get("shipping_details"))),
        (t("Date of issue"), t.date(invoice["created"])),
        (t("Due date"), t.date(invoice.get("due_date"))),
    ]
    lines = []
    for line in invoice["lines"]["data"]:
        period = line.get("period") or {}
        when = (
            f"{t.date(period['start'])} – {t.date(period['end'])}"
            if period.get("end", 0) > period.get("start", 0)
            else ""
        )
        lines.append((str(line.get("description") or ""), when, t.money(line["amount"], currency)))
    totals = [(t("Subtotal"), invoice["subtotal"], False)]
    totals += [
        (t("Discount (%(name)s)", name=d["name"]), -d["amount"], False) for d in invoice.get("discount_rows") or []
    ]
    totals.append((t("Total"), invoice["total"], True))
    if invoice["amount_due"] != invoice["total"]:
        # What the customer's balance took off (or, for a credit invoice, what it kept).
        totals.append((t("Applied balance"), invoice["amount_due"] - invoice["total"], False))
    totals.append((t("Amount due"), invoice["amount_due"], True))

    words = [merchant.get("name") or "", *(merchant.get("address") or []), t("Invoice %(number)s", number=number)]
    words += [f"{k} {v}" for k, v in details] + [" ".join(x) for x in lines] + [x[0] for x in totals]
    pdf = _document(invoice, t, "\n".join(words))
    pdf.set_title(t("Invoice %(number)s", number=number))
    pdf.set_lang(t.locale)
    pdf.add_page()
    page = _Page(pdf, t.direction == "rtl")
    if logo:
        _logo(pdf, logo, rtl=page.rtl)
    if merchant.get("name"):
        page.text(str(merchant["name"]), size=13, strong=True, data=True)
        for part in merchant.get("address") or []:
            page.text(str(part), size=10, height=5, data=True)
        if merchant.get("email"):
            page.text(str(merchant["email"]), size=10, height=5, data=True)
        pdf.ln(4)
    page.text(t("Invoice %(number)s", number=number), size=18, strong=True, height=12)
    for label, value in details:
        if value:
            page.row(label, value, data=(False, True))
    pdf.ln(4)
    page.row(t("Description"), t("Amount"), strong=True, rule=True)
    for description, when, amount in lines:
        page.row(description, amount, data=(True, False))
        if when:
            page.text(when, size=9, height=5)
    pdf.ln(2)
    for label, amount, strong in totals:
        page.row(label, t.money(amount, currency), strong=strong)
    return bytes(pdf.output())
