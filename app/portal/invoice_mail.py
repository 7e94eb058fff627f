"""The mail of a sent invoice (POST /v1/invoices/{id}/send), in the customer's language."""

from __future__ import annotations

from app.mail import Mail
from app.portal import i18n
from app.portal.templating import render
from app.services.invoices import InvoiceMail


def compose(sent: InvoiceMail) -> Mail:
    t = i18n.translator(i18n.choose(None, [sent.locale] if sent.locale else [], None))
    name = sent.business_name or t("Billing")
    values = {
        "name": name,
        "number": sent.number,
        "paid": sent.paid,
        "amount": t.money(sent.amount_due, sent.currency),
        "due": t.date(sent.due_date) if sent.due_date else None,
        "link": sent.hosted_invoice_url,
    }
    return Mail(
        to=sent.to,
        subject=t("Invoice %(number)s from %(name)s", number=sent.number, name=name),
        text=render("mail/invoice.txt", **t.text_context(), **values),
        html=render("mail/invoice.html", **t.context(), **values),
    )
