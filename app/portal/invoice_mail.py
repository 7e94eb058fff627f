"""The mail of a sent invoice (POST /v1/invoices/{id}/send), in the customer's language."""

from __future__ import annotations

from app.mail import Mail
from app.portal import i18n
from app.portal.templating import date, money, templates
from app.services.invoices import InvoiceMail


def compose(sent: InvoiceMail) -> Mail:
    t = i18n.translator(i18n.choose(None, [sent.locale] if sent.locale else [], None))
    name = sent.business_name or t("title")
    context = {
        "t": t,
        "name": name,
        "number": sent.number,
        "paid": sent.paid,
        "amount": money(sent.amount_due, sent.currency),
        "due": date(sent.due_date) if sent.due_date else None,
        "link": sent.hosted_invoice_url,
    }
    return Mail(
        to=sent.to,
        subject=t("invoice_mail_subject", name=name, number=sent.number),
        text=templates.get_template("mail/invoice.txt").render(**context),
        html=templates.get_template("mail/invoice.html").render(**context),
    )
