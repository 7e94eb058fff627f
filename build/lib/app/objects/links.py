"""Public links of the hosted pages: on the account's custom domain when it has one (R12)."""

from __future__ import annotations

from typing import Any


def custom_domain(account_settings: dict[str, Any] | None) -> str | None:
    domain = ((account_settings or {}).get("portal") or {}).get("custom_domain")
    return str(domain) if domain else None


def portal_base(base_url: str, account_settings: dict[str, Any] | None) -> str:
    """https://<custom domain> when the merchant set one (R12), else the service's base URL."""
    domain = custom_domain(account_settings)
    return f"https://{domain}" if domain else base_url.rstrip("/")


def login_page_url(base: str, token: str) -> str:
    return f"{base}/p/login/{token}"
