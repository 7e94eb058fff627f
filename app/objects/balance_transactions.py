"""The `customer_balance_transaction` object."""

from __future__ import annotations

from typing import Any

from app.objects.registry import ObjectType, register, simple
from app.scope import Scope
from app.store.models import CustomerBalanceTransaction
from app.store.uow import UnitOfWork


def render_balance_transaction(txn: CustomerBalanceTransaction) -> dict[str, Any]:
    return {
        "id": txn.id,
        "object": "customer_balance_transaction",
        "amount": txn.amount,
        "checkout_session": None,
        "created": txn.created,
        "credit_note": None,
        "currency": txn.currency,
        "customer": txn.customer_id,
        "customer_account": None,
        "description": txn.description,
        "ending_balance": txn.ending_balance,
        "invoice": txn.invoice_id,
        "livemode": txn.livemode,
        "metadata": dict(txn.metadata_ or {}),
        "type": txn.type,
    }


async def _load(uow: UnitOfWork, scope: Scope, object_id: str) -> CustomerBalanceTransaction | None:
    return await uow.balance_transactions.get(scope, object_id)


BALANCE_TRANSACTION = register(
    ObjectType(
        name="customer_balance_transaction",
        model=CustomerBalanceTransaction,
        render_many=simple(render_balance_transaction),
        loader=_load,
        expandable={"customer": "customer", "invoice": "invoice"},
        always_null=frozenset({"checkout_session", "credit_note"}),
    )
)
