"""The Jinja2 environment of the hosted pages, with money and date filters."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlsplit

from jinja2 import Environment, FileSystemLoader, select_autoescape

from app.domain.money import major_units


def money(amount: int | None, currency: str) -> str:
    """`10.50 USD`, exact (integer minor units, no floats), zero-decimal currencies without decimals."""
    if amount is None:
        return ""
    return f"{major_units(amount, currency)} {currency.upper()}"


def date(ts: int | None) -> str:
    return "" if ts is None else datetime.fromtimestamp(ts, UTC).strftime("%Y-%m-%d")


templates = Environment(
    loader=FileSystemLoader(Path(__file__).parent / "templates"),
    autoescape=select_autoescape(["html"]),
    enable_async=False,
)
templates.filters["money"] = money
templates.filters["date"] = date
# Forms post to the page's own path: the public URL may be on a custom domain (R12) that proxies here.
templates.filters["login_path"] = lambda url: urlsplit(url).path
