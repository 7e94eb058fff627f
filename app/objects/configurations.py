"""The `billing_portal.configuration` object."""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel

from app import json_text
from app.domain.configuration_rules import pause_phase
from app.objects.links import login_page_url, portal_base
from app.objects.registry import ObjectType, register
from app.scope import Scope
from app.store.models import PortalConfiguration
from app.store.uow import UnitOfWork


def default_features() -> dict[str, Any]:
    """Stripe's defaults for every branch of `features`."""
    return {
        "customer_update": {"allowed_updates": [], "enabled": False},
        "invoice_history": {"enabled": False},
        "payment_method_update": {"enabled": False, "payment_method_configuration": None},
        "subscription_cancel": {
            "cancellation_reason": {"enabled": False, "options": []},
            "enabled": False,
            "mode": "at_period_end",
            "proration_behavior": "none",
        },
        "subscription_update": {
            "billing_cycle_anchor": None,
            "default_allowed_updates": [],
            "enabled": False,
            "products": [],
            "proration_behavior": "none",
            "schedule_at_period_end": {"conditions": []},
            "trial_update_behavior": "end_trial",
        },
    }


class BusinessProfile(BaseModel):
    headline: str | None
    privacy_policy_url: str | None
    terms_of_service_url: str | None


class LoginPage(BaseModel):
    enabled: bool
    url: str | None


class ConfigurationObject(BaseModel):
    id: str
    object: Literal["billing_portal.configuration"]
    active: bool
    application: None
    business_profile: BusinessProfile
    created: int
    default_return_url: str | None
    features: dict[str, Any]
    is_default: bool
    livemode: bool
    login_page: LoginPage
    metadata: dict[str, str] | None
    name: str | None
    updated: int


def render_configuration(c: PortalConfiguration, base: str, *, show_pause: bool) -> dict[str, Any]:
    features = json_text.copy(c.features or {})
    if not show_pause:
        # R17: from 2024-08-01 the retired field is not part of the object.
        features.pop("subscription_pause", None)
    reason = (features.get("subscription_cancel") or {}).get("cancellation_reason")
    if isinstance(reason, dict):
        reason.setdefault("feedback_options", None)  # endive: Stripe's feedback option objects
    profile = c.business_profile or {}
    return {
        "id": c.id,
        "object": "billing_portal.configuration",
        "active": c.active,
        "application": None,
        "business_profile": {
            "headline": profile.get("headline"),
            "privacy_policy_url": profile.get("privacy_policy_url"),
            "terms_of_service_url": profile.get("terms_of_service_url"),
        },
        "created": c.created,
        "default_return_url": c.default_return_url,
        "features": features,
        "is_default": c.is_default,
        "livemode": c.livemode,
        "login_page": {
            "enabled": c.login_page_token is not None,
            "url": login_page_url(base, c.login_page_token) if c.login_page_token else None,
        },
        "metadata": dict(c.metadata_ or {}),
        "name": c.name,
        "updated": c.updated,
    }


async def render_configurations(
    uow: UnitOfWork, scope: Scope, configurations: list[PortalConfiguration]
) -> list[dict[str, Any]]:
    account = await uow.accounts.get(scope.account_id)
    base = portal_base(uow.base_url, account.settings if account else None)
    show_pause = pause_phase(uow.clock.now().date()) != "removed"
    return [render_configuration(c, base, show_pause=show_pause) for c in configurations]


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> PortalConfiguration | None:
    return await uow.configurations.get(scope, object_id)


CONFIGURATION = register(
    ObjectType(
        name="billing_portal.configuration",
        model=PortalConfiguration,
        render_many=render_configurations,
        loader=_load,
        always_null=frozenset({"application"}),
    )
)
