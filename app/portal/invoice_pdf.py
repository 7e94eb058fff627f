"""An invoice as a real PDF document (fpdf2)."""

from __future__ import annotations

from typing import Any

from fpdf import FPDF

from app.portal.templating import date, money


def _latin1(text: str) -> str:
    # The core PDF fonts are Latin-1; anything outside it is shown as '?' rather than failing.
    return text.encode("latin-1", "replace").decode("latin-1")


def _shipping(shipping: dict[str, Any] | None) -> str:
    if not shipping:
        return ""
    address = shipping.get("address") or {}
    parts = [shipping.get("name"), address.get("line1"), address.get("postal_code"), address.get("city")]
    return ", ".join(str(p) for p in parts if p)


def page_size(invoice: dict[str, Any]) -> str:
    """`rendering.pdf.page_size`: as chosen, or (auto) Letter for a customer in the US or Canada,
    A4 elsewhere, as Stripe picks it."""
    chosen = ((invoice.get("rendering") or {}).get("pdf") or {}).get("page_size") or "auto"
    if chosen != "auto":
        return str(chosen)
    country = (invoice.get("customer_address") or {}).get("country")
    return "letter" if country in ("US", "CA") else "a4"


def invoice_pdf(invoice: dict[str, Any]) -> bytes:
    pdf = FPDF(format="letter" if page_size(invoice) == "letter" else "A4")
    pdf.set_title(f"Invoice {invoice.get('number') or invoice['id']}")
    pdf.add_page()
    pdf.set_font("helvetica", "B", 18)
    pdf.cell(0, 12, _latin1(f"Invoice {invoice.get('number') or ''}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    billed = invoice.get("customer_name") or invoice.get("customer_email") or invoice["customer"]
    merchant = invoice.get("merchant") or {}
    for label, value in (
        ("From", ", ".join([merchant["name"], *merchant["address"]]) if merchant.get("name") else ""),
        ("Status", invoice["status"]),
        ("Billed to", billed),
        ("Issued", date(invoice["created"])),
        ("Due", date(invoice.get("due_date"))),
        ("Tax ID", ", ".join(x["value"] for x in invoice.get("customer_tax_ids") or [])),
        ("Ship to", _shipping(invoice.get("shipping_details"))),
    ):
        if value:
            pdf.cell(0, 7, _latin1(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(4)
    currency = invoice["currency"]
    pdf.set_font("helvetica", "B", 11)
    pdf.cell(140, 8, "Description", border="B")
    pdf.cell(0, 8, "Amount", border="B", align="R", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("helvetica", size=11)
    for line in invoice["lines"]["data"]:
        period = line.get("period") or {}
        when = (
            f" ({date(period['start'])} - {date(period['end'])})"
            if period.get("end", 0) > period.get("start", 0)
            else ""
        )
        pdf.cell(140, 8, _latin1(str(line.get("description") or "") + when))
        pdf.cell(0, 8, money(line["amount"], currency), align="R", new_x="LMARGIN", new_y="NEXT")
    rows = [("Subtotal", invoice["subtotal"])]
    rows += [(f"Discount ({d['name']})", -d["amount"]) for d in invoice.get("discount_rows") or []]
    rows.append(("Total", invoice["total"]))
    if invoice["amount_due"] != invoice["total"]:
        # What the customer's balance took off (or, for a credit invoice, what it kept).
        rows.append(("Applied balance", invoice["amount_due"] - invoice["total"]))
    rows.append(("Amount due", invoice["amount_due"]))
    for label, amount in rows:
        pdf.set_font("helvetica", "B" if label in ("Total", "Amount due") else "", 11)
        pdf.cell(140, 8, _latin1(label))
        pdf.cell(0, 8, money(amount, currency), align="R", new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())
