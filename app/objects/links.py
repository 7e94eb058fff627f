"""Public links of the hosted pages: on the account's custom domain when it has one (R12)."""

from __future__ import annotations

from typing import Any

from app.domain.custom_domains import verified_domain


def custom_domain(account_settings: dict[str, Any] | None) -> str | None:
    """The merchant's custom domain, once verified as theirs (app/domain/custom_domains.py)."""
    return verified_domain(account_settings)


def portal_base(base_url: str, account_settings: dict[str, Any] | None) -> str:
    """https://<custom domain> when the merchant set one and it is verified (R12), else the
    service's base URL."""
    domain = custom_domain(account_settings)
    return f"https://{domain}" if domain else base_url.rstrip("/")


def login_page_url(base: str, token: str) -> str:
    return f"{base}/p/login/{token}"
