"""The Jinja2 environment of the hosted pages and mails.

Words come from the visitor's `i18n.Translator` (`_`, `gettext`, `ngettext`, `t.money`, `t.date`),
passed into each render; the i18n extension gives templates `{% trans %}` as well.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.domain.money import major_units
from app.portal import labels

templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    enable_async=False,
    extensions=["jinja2.ext.i18n"],
)
templates.globals["labels"] = labels
# Forms post to the page's own path: the public URL may be on a custom domain (R12) that proxies here.
templates.filters["login_path"] = lambda url: urlsplit(url).path


def render(template: str, /, **context: Any) -> str:
    return templates.get_template(template).render(**context)


def money(amount: int | None, currency: str) -> str:
    """`10.50 USD`, exact (integer minor units, no floats): the merchant dashboard's and the PDF's
    locale-neutral form (customer pages use the visitor's `t.money`)."""
    if amount is None:
        return ""
    return f"{major_units(amount, currency)} {currency.upper()}"


def date(ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


templates.filters["money"] = money
templates.filters["date"] = date
