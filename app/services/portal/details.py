"""The customer's billing details in the portal, as `customer_update.allowed_updates` allows:
name, email, phone, address, shipping and tax IDs (Stripe's types and formats)."""

from __future__ import annotations

from typing import Any

from app.errors import PermissionDenied
from app.params.customers import CustomerUpdateParams
from app.params.parsing import parse
from app.services import customers as customer_service
from app.services import locks
from app.services import tax_ids as tax_id_service
from app.services.portal.flows import check_flow
from app.services.portal.visitor import Visitor, configuration, feature
from app.store.models import Customer, TaxId
from app.store.uow import UnitOfWork

# What Stripe's allowed_updates names, each a field (or group of fields) of the customer.
EDITABLE = ("email", "name", "phone", "address", "shipping", "tax_id")


async def _allowed(uow: UnitOfWork, v: Visitor) -> set[str]:
    check_flow(v, "update_customer")
    update = feature(await configuration(uow, v), "customer_update")
    return set(update.get("allowed_updates") or []) if update.get("enabled") else set()


def _refuse(name: str) -> PermissionDenied:
    return PermissionDenied(f"Updating `{name}` is not enabled in this portal.", code="portal_feature_disabled")


def _address(fields: dict[str, Any]) -> dict[str, Any]:
    return {k: x for k, x in fields.items() if x}


async def update_customer(uow: UnitOfWork, v: Visitor, fields: dict[str, Any]) -> Customer:
    """Update the details the configuration allows; a field it does not allow is refused by name."""
    allowed = await _allowed(uow, v)
    for name in fields:
        if name not in allowed or name not in EDITABLE or name == "tax_id":
            raise _refuse(name)
    values: dict[str, Any] = {k: x for k, x in fields.items() if k not in ("address", "shipping")}
    if "address" in fields:
        values["address"] = _address(fields["address"] or {})
    if "shipping" in fields:
        shipping = fields["shipping"] or {}
        # An empty shipping form removes the shipping details.
        values["shipping"] = (
            {**{k: x for k, x in shipping.items() if k != "address" and x}, "address": _address(shipping["address"])}
            if shipping.get("name")
            else ""
        )
    return await customer_service.update(uow, v.ctx, v.customer_id, parse(CustomerUpdateParams, values))


async def add_tax_id(uow: UnitOfWork, v: Visitor, kind: str, value: str) -> TaxId:
    """A tax ID of one of Stripe's types, checked against its format (`customer.tax_id.created`)."""
    if "tax_id" not in await _allowed(uow, v):
        raise _refuse("tax_id")
    customer = await locks.customer(uow, v.ctx, v.customer_id)
    return await tax_id_service.add_to_customer(uow, v.ctx, customer, kind, value, param="value")


async def remove_tax_id(uow: UnitOfWork, v: Visitor, tax_id: str) -> TaxId:
    if "tax_id" not in await _allowed(uow, v):
        raise _refuse("tax_id")
    return await tax_id_service.delete(uow, v.ctx, tax_id, customer_id=v.customer_id)
