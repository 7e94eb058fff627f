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
- **locks taken once a transaction**: a use case that locks a row its service calls lock again
  (the portal's plan change locks customer and subscription, then the subscription update it
  runs locks them again). A row lock is held until the transaction ends, so no one else can have
  changed the row since: the second `get_for_update` hands out the instance the first one read.
  Not kept: a lock taken inside a savepoint (rolling it back releases the lock), an entry of an
  earlier transaction of the same session, an instance no longer usable (as above).
- **a parent's rows, once a unit of work between locks**: a subscription's items were read six
  times by a plan change (its checks, the update, the event's before and after, the answer).
  The ORM hands out the same instances for them every time, so only their membership can differ;
  the list is kept (`children`) and dropped when this session adds or deletes a row of that model
  (at the flush, and while one is pending it is not used), and whenever a lock is taken
  (`forget_children`: what a use case decides on under its lock is read after it).
- **counters read with a page**: a customer's `next_invoice_sequence` comes from the counter of
  its invoice prefix; the customers list joins those counters to its page, and their values are
  kept for the unit of work (`counted`), so rendering the page reads no counter again. A counter
  this unit of work takes or raises is forgotten first (`uncount`).
- **a page's children in its statement**: a subscription list page is one statement: the page
  as a subquery, each subscription's items, their prices and its customer's test clock joined to
  it (`around_page`); an invoice page joins each invoice's customer (`with_page`). The items are
  kept as `children` (above), the prices and customers remembered as lookups, and the clocks
  `noted`, so rendering the page reads nothing again. One of them read by id comes the same way
  (`get_as_page`). A customer's test clock is set when the customer is made and never changes.
- **statements built once a process**: the hot reads are written with bind parameters only, so
  one statement object serves every request; building a `select()` anew and computing its key for
  SQLAlchemy's compiled cache cost ~50 us, as much as running it (`prepared`). Off, each call
  builds its statement anew, as plain SQLAlchemy code does: the same SQL either way.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable
from typing import Any, TypeVar

from sqlalchemy import event, inspect
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import Session

from app.scope import Scope

S = TypeVar("S")
SWITCH = "fast_path"
_LOOKUPS = "fast_path.lookups"
_LOCKED = "fast_path.locked"
_CHILDREN = "fast_path.children"
_COUNTERS = "fast_path.counters"
_NOTED = "fast_path.noted"


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


def held(session: AsyncSession, model: type[Any], scope: Scope, object_id: str) -> Any | None:
    """The instance a `get_for_update` of this transaction locked and read, if still good to hand out."""
    if not on(session):
        return None
    locked: dict[tuple[Any, ...], tuple[Any, Any]] | None = session.info.get(_LOCKED)
    if not locked:
        return None
    entry = locked.get(_key(model, scope.account_id, scope.livemode, object_id))
    if entry is None:
        return None
    obj, transaction = entry
    if transaction is not session.sync_session.get_transaction() or not _usable(obj):
        return None
    return obj


def hold(session: AsyncSession, obj: Any) -> None:
    """Note that this transaction holds the lock of `obj`'s row (read by `get_for_update`)."""
    if not on(session) or session.sync_session.in_nested_transaction():
        return
    locked = session.info.setdefault(_LOCKED, {})
    locked[_key(type(obj), obj.account_id, obj.livemode, obj.id)] = (obj, session.sync_session.get_transaction())


def _pending(session: AsyncSession, model: type[Any]) -> bool:
    return any(isinstance(obj, model) for obj in (*session.new, *session.deleted))


def children(
    session: AsyncSession, model: type[Any], scope: Scope, parent_ids: list[str]
) -> dict[str, list[Any]] | None:
    """The kept rows of each parent (all of them kept, or None), as `keep_children` was given them."""
    if not on(session):
        return None
    kept: dict[tuple[Any, ...], list[Any]] | None = session.info.get(_CHILDREN)
    if not kept or _pending(session, model):
        return None
    found = {}
    for parent in parent_ids:
        rows = kept.get(_key(model, scope.account_id, scope.livemode, parent))
        if rows is None or not all(_usable(r) for r in rows):
            return None
        found[parent] = list(rows)
    return found


def keep_children(session: AsyncSession, model: type[Any], scope: Scope, grouped: dict[str, list[Any]]) -> None:
    if not on(session) or _pending(session, model):
        return
    kept = session.info.setdefault(_CHILDREN, {})
    for parent, rows in grouped.items():
        kept[_key(model, scope.account_id, scope.livemode, parent)] = list(rows)


def forget_children(session: AsyncSession | Session) -> None:
    session.info.pop(_CHILDREN, None)


@event.listens_for(Session, "before_flush")
def _membership_changes(session: Session, _context: Any, _instances: Any) -> None:
    """A flush that adds or deletes rows may change a kept parent's rows: forget them all."""
    if _CHILDREN in session.info and (session.new or session.deleted):
        forget_children(session)


def count(session: AsyncSession, scope: Scope, values: dict[str, int]) -> None:
    """Counter values read in this unit of work (0: the counter was never taken)."""
    if not on(session):
        return
    kept = session.info.setdefault(_COUNTERS, {})
    for name, value in values.items():
        kept[(scope.account_id, scope.livemode, name)] = value


def counted(session: AsyncSession, scope: Scope, names: list[str]) -> dict[str, int]:
    """The kept values among `names` (the others must be read)."""
    kept: dict[tuple[str, bool, str], int] | None = session.info.get(_COUNTERS)
    if not kept or not on(session):
        return {}
    found = {}
    for name in names:
        value = kept.get((scope.account_id, scope.livemode, name))
        if value is not None:
            found[name] = value
    return found


def uncount(session: AsyncSession, scope: Scope, name: str) -> None:
    kept: dict[tuple[str, bool, str], int] | None = session.info.get(_COUNTERS)
    if kept:
        kept.pop((scope.account_id, scope.livemode, name), None)


def note(session: AsyncSession, scope: Scope, what: str, values: dict[str, Any]) -> None:
    """Values of one column of several objects (`what`: which column), read with a page, for the
    unit of work: only columns that never change once the row exists (a customer's test clock)."""
    if not on(session):
        return
    kept = session.info.setdefault(_NOTED, {})
    for object_id, value in values.items():
        kept[(what, scope.account_id, scope.livemode, object_id)] = value


def noted(session: AsyncSession, scope: Scope, what: str, ids: list[str]) -> dict[str, Any]:
    """The noted values among `ids` (the others must be read)."""
    kept: dict[tuple[str, str, bool, str], Any] | None = session.info.get(_NOTED)
    if not kept or not on(session):
        return {}
    found = {}
    for object_id in ids:
        key = (what, scope.account_id, scope.livemode, object_id)
        if key in kept:
            found[object_id] = kept[key]
    return found


_PREPARED: dict[Hashable, Any] = {}


def prepared(session: AsyncSession, key: Hashable, build: Callable[[], S]) -> S:
    """The statement `build` makes (bind parameters only, never a value of one call), made once a
    process under `key` when the fast path is on. SQLAlchemy keeps a statement's cache key on the
    object, so a statement used again is also looked up in the compiled cache for free."""
    if not on(session):
        return build()
    found: S | None = _PREPARED.get(key)
    if found is None:
        found = _PREPARED[key] = build()
    return found
