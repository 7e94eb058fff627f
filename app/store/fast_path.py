"""The fast path: what makes the store's reads cheaper, in one place, behind one switch
(`STORE_FAST_PATH`, on by default; `false` runs the plain path, which CI tests too).

Only public SQLAlchemy APIs (`Session.info`, `sqlalchemy.inspect`). What it does today:

- **lookups by id, once a unit of work**: a use case reads the same subscription, customer,
  price or configuration several times (a portal plan change read its subscription six times).
  The ORM's identity map already returns the one instance a unit of work has for a row, without
  refreshing it, so a second `SELECT` of that row can only cost a round trip: the instance is
  kept here and handed out again. Not kept: a miss (the row may be made later in the same unit
  of work); an instance deleted, detached or expired (a rolled-back savepoint expires them; a
  query reloads them); reads that lock (`get_for_update` always reads the row and refreshes the
  instance, so decisions are taken on the locked state).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import inspect
from sqlalchemy.ext.asyncio import AsyncSession

from app.scope import Scope

SWITCH = "fast_path"
_LOOKUPS = "fast_path.lookups"


def session_info(enabled: bool) -> dict[str, Any]:
    """What a session maker puts in each session's `info` (SQLAlchemy copies it per session)."""
    return {SWITCH: enabled}


def on(session: AsyncSession) -> bool:
    return bool(session.info.get(SWITCH))


def _usable(obj: Any) -> bool:
    state = inspect(obj)
    return not (state.deleted or state.detached or state.was_deleted or state.expired_attributes)


def _key(model: type[Any], account_id: str, livemode: bool, object_id: str) -> tuple[Any, ...]:
    return (model, account_id, livemode, object_id)


def remembered(session: AsyncSession, model: type[Any], scope: Scope, object_id: str) -> Any | None:
    """The instance this unit of work read for that id, if it is still good to hand out."""
    if not on(session):
        return None
    lookups: dict[tuple[Any, ...], Any] | None = session.info.get(_LOOKUPS)
    if not lookups:
        return None
    obj = lookups.get(_key(model, scope.account_id, scope.livemode, object_id))
    if obj is None or not _usable(obj):
        return None
    return obj


def remember(session: AsyncSession, *objects: Any) -> None:
    if not on(session):
        return
    lookups = session.info.setdefault(_LOOKUPS, {})
    for obj in objects:
        lookups[_key(type(obj), obj.account_id, obj.livemode, obj.id)] = obj
