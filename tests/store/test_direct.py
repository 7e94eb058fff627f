"""Statements run on the driver (app/store/direct.py) behave as SQLAlchemy's own execution would:
same stored values, same loaded values, same transaction, same errors. On both databases."""

from __future__ import annotations

import hashlib
from typing import Any

import httpx
import pytest
from sqlalchemy import bindparam, select, text

from app.errors import Conflict
from app.scope import Scope
from app.store import direct
from app.store.append import inserter, model_values
from app.store.database import Database
from app.store.models import Event, PortalConfiguration, PortalSession
from tests.conftest import Keys
from tests.factories import customer, post

SESSION = {
    "account_id": "acct_direct",
    "livemode": False,
    "created": 1_700_000_000,
    "customer_id": "cus_direct",
    "configuration_id": "bpc_direct",
    "return_url": "https://example.com/back",
    "locale": None,
    "on_behalf_of": None,
    # Given as the service gives it: a JSON column's None, explicit on both paths.
    "after_expiration": None,
    "expires_at": 1_700_000_300,
}


def _session(object_id: str, flow: dict[str, Any] | None = None) -> dict[str, Any]:
    return {"id": object_id, "flow": flow, "secret_hash": hashlib.sha256(object_id.encode()).hexdigest(), **SESSION}


async def _stored(db: Database, table: str, object_id: str) -> dict[str, Any]:
    """The row as the database holds it (JSON as text or jsonb, booleans as the database has them)."""
    async with db.uow(write=False) as uow:
        row = (await uow.session.execute(text(f"SELECT * FROM {table} WHERE id = :id"), {"id": object_id})).mappings()
        found = dict(row.one())
    for unique in ("pk", "id", "secret_hash"):
        found.pop(unique)
    return found


async def test_an_insert_stores_what_the_orm_stores(db: Database) -> None:
    flow = {"type": "payment_method_update", "after_completion": {"type": "portal_homepage", "redirect": None}}
    async with db.uow() as uow:
        uow.session.add(PortalSession(**_session("bps_orm_none", None)))
        uow.session.add(PortalSession(**_session("bps_orm_flow", flow)))
        await uow.flush()
        made = uow.append(PortalSession, **_session("bps_direct_none", None))
        uow.append(PortalSession, **_session("bps_direct_flow", flow))
        await uow.commit()
    assert made.id == "bps_direct_none" and made.flow is None and made.expires_at == SESSION["expires_at"]
    # A None in a JSON column, a nested JSON value, booleans and integers: stored identically.
    assert await _stored(db, "portal_sessions", "bps_direct_none") == await _stored(
        db, "portal_sessions", "bps_orm_none"
    )
    assert await _stored(db, "portal_sessions", "bps_direct_flow") == await _stored(
        db, "portal_sessions", "bps_orm_flow"
    )
    async with db.uow(write=False) as uow:
        loaded = (
            await uow.session.execute(select(PortalSession).where(PortalSession.id == "bps_direct_flow"))
        ).scalar()
    assert loaded is not None and loaded.flow == flow and loaded.livemode is False


async def test_appended_rows_get_their_defaults_at_commit(db: Database) -> None:
    async with db.uow() as uow:
        uow.append(Event, id="evt_direct_1", account_id="acct_direct", livemode=True, created=1, type="t", data={})
        uow.append(Event, id="evt_direct_2", account_id="acct_direct", livemode=False, created=2, type="t", data={})
        await uow.commit()
    async with db.uow(write=False) as uow:
        stmt = select(Event).where(Event.account_id == "acct_direct").order_by(Event.pk)
        rows = list((await uow.session.execute(stmt)).scalars())
    assert [(e.id, e.livemode, e.pending_webhooks, e.fanned_out, e.data) for e in rows] == [
        ("evt_direct_1", True, 0, False, {}),
        ("evt_direct_2", False, 0, False, {}),
    ]


async def test_a_direct_select_loads_what_the_orm_loads(db: Database, client: httpx.AsyncClient, keys: Keys) -> None:
    configuration = await post(
        client,
        "/v1/billing_portal/configurations",
        **{
            "business_profile[privacy_policy_url]": "https://example.com/privacy",
            "business_profile[terms_of_service_url]": "https://example.com/terms",
            "default_return_url": "https://example.com/account",
            "features[invoice_history][enabled]": "true",
            "metadata[team]": "billing",
        },
    )
    cus = await customer(client)
    scope = Scope(keys.account_id, False)
    async with db.uow(write=False) as uow:
        found = await uow.portal_sessions.starting_point(scope, cus["id"], configuration["id"])
        orm = await uow.configurations.get(scope, configuration["id"])
        account = await uow.accounts.get(keys.account_id)
    assert found.configuration is not None and orm is not None and account is not None and found.account is not None
    columns = [attr.key for attr in PortalConfiguration.__mapper__.column_attrs]
    assert {c: getattr(found.configuration, c) for c in columns} == {c: getattr(orm, c) for c in columns}
    assert found.configuration.metadata_ == {"team": "billing"} and found.configuration.active is True
    assert (found.account.id, found.account.settings, found.account.billing_enabled) == (
        account.id,
        account.settings,
        account.billing_enabled,
    )
    assert found.customer_deleted is False
    # R2: the same ids seen from live mode are missing, not found.
    async with db.uow(write=False) as uow:
        live = await uow.portal_sessions.starting_point(Scope(keys.account_id, True), cus["id"], configuration["id"])
    assert live.account is not None and live.customer_deleted is None and live.configuration is None


async def test_a_statement_belongs_to_the_unit_of_work_and_is_rolled_back_with_it(db: Database) -> None:
    table, row = model_values(PortalSession, _session("bps_direct_rolled_back", None))
    async with db.uow() as uow:
        await direct.execute(uow.session, inserter(table, tuple(row)), [row])
        assert await uow.session.scalar(select(PortalSession.id).where(PortalSession.id == row["id"])) == row["id"]
        # not committed
    async with db.uow(write=False) as uow:
        assert await uow.session.scalar(select(PortalSession.id).where(PortalSession.id == row["id"])) is None


async def test_a_constraint_error_is_the_conflict_the_orm_path_gives_and_writes_nothing(db: Database) -> None:
    async with db.uow() as uow:
        uow.append(PortalSession, **_session("bps_direct_twice", None))
        await uow.commit()
    with pytest.raises(Conflict):
        async with db.uow() as uow:
            uow.append(PortalSession, **_session("bps_direct_other", None))
            uow.append(PortalSession, **_session("bps_direct_twice", None))
            uow.append(Event, id="evt_direct_lost", account_id="acct_direct", livemode=False, created=3, type="t")
            await uow.commit()
    async with db.uow(write=False) as uow:
        assert await uow.session.scalar(select(PortalSession.id).where(PortalSession.id == "bps_direct_other")) is None
        assert await uow.session.scalar(select(Event.id).where(Event.id == "evt_direct_lost")) is None
    # The connection is usable again afterwards.
    async with db.uow() as uow:
        uow.append(PortalSession, **_session("bps_direct_after", None))
        await uow.commit()


async def test_a_value_not_given_is_a_mistake_not_a_null(db: Database) -> None:
    statement = direct.Direct(select(PortalSession.id).where(PortalSession.id == bindparam("wanted")))
    async with db.uow(write=False) as uow:
        with pytest.raises(KeyError):
            await direct.rows(uow.session, statement)
        assert await direct.rows(uow.session, statement, wanted="bps_nowhere") == []
