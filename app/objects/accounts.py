"""The `account` object: branding (R11), business name, and the portal's custom domain (R12)."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app.domain import custom_domains
from app.domain.revenue_recovery import RetryPolicy
from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import Account
from app.store.uow import UnitOfWork


class Branding(BaseModel):
    icon: str | None
    logo: str | None
    primary_color: str | None
    secondary_color: str | None


class AccountObject(BaseModel):
    id: str
    object: Literal["account"]
    business_profile: dict[str, Any]
    email: str | None
    settings: dict[str, Any]


def branding(settings: dict[str, Any] | None) -> dict[str, Any]:
    saved = (settings or {}).get("branding") or {}
    return {key: saved.get(key) for key in ("icon", "logo", "primary_color", "secondary_color")}


def render_account(a: Account) -> dict[str, Any]:
    settings = a.settings or {}
    profile = settings.get("business_profile") or {}
    return {
        "id": a.id,
        "object": "account",
        "business_type": None,
        "business_profile": {
            "name": profile.get("name", a.name),
            "support_address": profile.get("support_address"),
            "support_email": profile.get("support_email"),
            "url": profile.get("url"),
        },
        "charges_enabled": True,
        "country": None,
        "created": a.created,
        "default_currency": None,
        "details_submitted": True,
        "email": a.email,
        "metadata": {},
        "payouts_enabled": True,
        "settings": {
            "branding": branding(settings),
            "card_payments": {
                "decline_on": {"avs_failure": False, "cvc_failure": False},
                "statement_descriptor_prefix": None,
                "statement_descriptor_prefix_kana": None,
                "statement_descriptor_prefix_kanji": None,
            },
            "dashboard": {"display_name": profile.get("name", a.name), "timezone": "Etc/UTC"},
            "payments": {
                "statement_descriptor": None,
                "statement_descriptor_kana": None,
                "statement_descriptor_kanji": None,
            },
            # Extension: the portal's custom domain (R12), its verification (links use it only once
            # verified), and whether paid Billing is enabled (R19).
            "portal": {
                "custom_domain": (settings.get("portal") or {}).get("custom_domain"),
                "custom_domain_verification": _verification(settings),
                "paid_billing": a.billing_enabled,
            },
            # Extension: retries after a failed renewal payment (Stripe's revenue recovery defaults).
            "revenue_recovery": _recovery(settings),
        },
        "type": "standard",
    }


def _recovery(settings: dict[str, Any]) -> dict[str, Any]:
    policy = RetryPolicy.of(settings.get("revenue_recovery"))
    return {"after_retries": policy.after.value, "attempts": policy.attempts, "window_days": policy.window_days}


def _verification(settings: dict[str, Any]) -> dict[str, Any] | None:
    found = custom_domains.of(settings.get("portal"))
    if found is None:
        return None
    return {
        "status": "verified" if found.verified else "pending",
        "txt_record": {"name": found.txt_name, "value": found.txt_value},
    }


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> Account | None:
    return await uow.accounts.get(object_id) if object_id == scope.account_id else None


ACCOUNT = register(ObjectType(name="account", model=Account, render_many=simple(render_account), loader=_load))
