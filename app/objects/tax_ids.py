"""The `tax_id` object."""

from __future__ import annotations

from typing import Any

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import TaxId
from app.store.uow import UnitOfWork


def render_tax_id(t: TaxId) -> dict[str, Any]:
    if t.deleted:
        return {"id": t.id, "object": "tax_id", "deleted": True}
    owner: dict[str, Any] = {"type": t.owner_type, "customer_account": None}
    if t.owner_type == "customer":
        owner["customer"] = t.customer_id
    elif t.owner_type == "account":
        owner["account"] = t.account_id
    return {
        "id": t.id,
        "object": "tax_id",
        "country": t.country,
        "created": t.created,
        "customer": t.customer_id,
        "customer_account": None,
        "livemode": t.livemode,
        "owner": owner,
        "type": t.type,
        "value": t.value,
        "verification": {"status": t.verification_status, "verified_address": None, "verified_name": None},
    }


def customer_tax_ids(tax_ids: list[TaxId]) -> list[dict[str, Any]]:
    """What a finalized invoice keeps of its customer's tax IDs (Stripe's `customer_tax_ids`)."""
    return [{"type": t.type, "value": t.value} for t in tax_ids]


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> TaxId | None:
    return await uow.tax_ids.get(scope, object_id)


TAX_ID = register(
    ObjectType(
        name="tax_id",
        model=TaxId,
        render_many=simple(render_tax_id),
        loader=_load,
        expandable={"customer": "customer", "owner.customer": "customer"},
        always_null=frozenset({"owner.account", "owner.application"}),
    )
)
