"""/v1/billing_portal/configurations and /v1/account."""

from __future__ import annotations

from fastapi import APIRouter, Response

from app.http.call import Call
from app.http.wire.openapi import documented
from app.objects.accounts import AccountObject
from app.objects.configurations import ConfigurationObject
from app.params.base import RetrieveParams
from app.params.configurations import (
    AccountUpdateParams,
    ConfigurationCreateParams,
    ConfigurationListParams,
    ConfigurationUpdateParams,
)
from app.params.payment_methods import EmptyParams
from app.services import account_settings
from app.services import configurations as configuration_service

router = APIRouter(tags=["billing_portal"])
BPC = "billing_portal.configuration"


@router.post("/v1/billing_portal/configurations", **documented(ConfigurationObject, ConfigurationCreateParams))
async def create_configuration(call: Call) -> Response:
    """Create a portal configuration. Needs `business_profile[privacy_policy_url]` and
    `[terms_of_service_url]` (R6). Extension: `is_default=true` makes it the default (R10)."""
    p = call.parse(ConfigurationCreateParams)
    return await call.write(lambda uow: configuration_service.create(uow, call.ctx, p), BPC, expand=p.expand)


@router.get(
    "/v1/billing_portal/configurations", **documented(ConfigurationObject, ConfigurationListParams, is_list=True)
)
async def list_configurations(call: Call) -> Response:
    """List configurations, newest first; filter by `active` and `is_default`."""
    p = call.parse(ConfigurationListParams)
    return await call.read(
        lambda uow: configuration_service.list_(uow, call.ctx, p),
        BPC,
        expand=p.expand,
        url="/v1/billing_portal/configurations",
    )


@router.get("/v1/billing_portal/configurations/{configuration}", **documented(ConfigurationObject, RetrieveParams))
async def retrieve_configuration(configuration: str, call: Call) -> Response:
    """Retrieve a configuration."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: configuration_service.get(uow, call.ctx, configuration), BPC, expand=p.expand)


@router.post(
    "/v1/billing_portal/configurations/{configuration}", **documented(ConfigurationObject, ConfigurationUpdateParams)
)
async def update_configuration(configuration: str, call: Call) -> Response:
    """Update a configuration: only what is sent changes; `""` clears where Stripe allows it."""
    p = call.parse(ConfigurationUpdateParams)
    return await call.write(
        lambda uow: configuration_service.update(uow, call.ctx, configuration, p), BPC, expand=p.expand
    )


@router.get("/v1/account", **documented(AccountObject, RetrieveParams))
async def retrieve_account(call: Call) -> Response:
    """The key's account, with its branding and (extension) the portal's custom domain."""
    p = call.parse(RetrieveParams)
    return await call.read(lambda uow: account_settings.retrieve(uow, call.ctx), "account", expand=p.expand)


@router.post("/v1/account/custom_domain/verify", **documented(AccountObject, EmptyParams))
async def verify_custom_domain(call: Call) -> Response:
    """Extension: check the custom domain's DNS TXT record (`settings.portal.custom_domain_verification`);
    portal links move to the domain only once it is verified (R12)."""
    call.parse(EmptyParams)
    resolver = call.state.resolver
    return await call.write(lambda uow: account_settings.verify_custom_domain(uow, call.ctx, resolver), "account")


@router.post("/v1/account", **documented(AccountObject, AccountUpdateParams))
async def update_account(call: Call) -> Response:
    """Set branding (`settings[branding][icon|logo|primary_color|secondary_color]`, R11), the business name,
    and (extension) `settings[portal][custom_domain]` (R12)."""
    p = call.parse(AccountUpdateParams)
    return await call.write(lambda uow: account_settings.update(uow, call.ctx, p), "account", expand=p.expand)
