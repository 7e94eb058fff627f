"""Which renderer turns which stored model into which Stripe object, and what each can expand.

Renderers work on batches (`render_many`), so a list page costs a fixed number of queries however
long it is. Expansion is generic: a field holding an id is replaced by that object, rendered, and
the rest of the dot path continues inside it (`data.customer.invoice_settings.default_payment_method`).
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from typing import Any

from app.errors import InvalidRequest
from app.scope import Scope
from app.store.uow import UnitOfWork

Json = dict[str, Any]
Loader = Callable[[UnitOfWork, Scope, str], Awaitable[Any]]
RenderMany = Callable[[UnitOfWork, Scope, list[Any]], Awaitable[list[Json]]]
Include = Callable[[UnitOfWork, Scope, Any, Json, set[str]], Awaitable[None]]

MAX_EXPAND_DEPTH = 4


@dataclass
class ObjectType:
    name: str
    model: type[Any]
    render_many: RenderMany
    loader: Loader
    # dotted field path inside this object -> the object type it expands into
    expandable: dict[str, str] = field(default_factory=dict)
    # includable fields (omitted unless asked for with expand[]): their names, and the hook that fills them
    includable: frozenset[str] = frozenset()
    include: Include | None = None
    # Expandable on Stripe, always null here (`application`, `test_clock`): they expand to null.
    always_null: frozenset[str] = frozenset()


def simple(render_one: Callable[[Any], Json]) -> RenderMany:
    """A renderer that needs nothing but the row itself."""

    async def render_many(_uow: UnitOfWork, _scope: Scope, rows: list[Any]) -> list[Json]:
        return [render_one(row) for row in rows]

    return render_many


_BY_NAME: dict[str, ObjectType] = {}
_BY_MODEL: dict[type[Any], ObjectType] = {}


def register(object_type: ObjectType) -> ObjectType:
    _BY_NAME[object_type.name] = object_type
    _BY_MODEL[object_type.model] = object_type
    return object_type


def type_of(obj: Any) -> ObjectType:
    return _BY_MODEL[type(obj)]


def check_expand(object_name: str, paths: list[str], *, in_list: bool) -> None:
    """Refuse what cannot be expanded before doing any work (Stripe's 400 wording)."""
    for path in paths:
        parts = path.split(".")
        if in_list:
            if parts[0] != "data":
                raise InvalidRequest(
                    f"This property cannot be expanded ({path}). You may want to try expanding 'data.{path}' instead.",
                    param="expand",
                )
            parts = parts[1:]
        if len(parts) > MAX_EXPAND_DEPTH:
            raise InvalidRequest(
                f"You cannot expand more than {MAX_EXPAND_DEPTH} levels of a property ({path}).",
                param="expand",
            )
        _walk_type(object_name, parts, path)


def _walk_type(object_name: str, parts: list[str], path: str) -> None:
    if not parts:
        return
    object_type = _BY_NAME[object_name]
    if ".".join(parts) in object_type.includable or ".".join(parts) in object_type.always_null:
        return
    for cut in range(len(parts), 0, -1):
        field_path = ".".join(parts[:cut])
        if field_path in object_type.expandable:
            _walk_type(object_type.expandable[field_path], parts[cut:], path)
            return
    raise InvalidRequest(f"This property cannot be expanded ({path}).", param="expand")


async def render(uow: UnitOfWork, scope: Scope, obj: Any, expand: list[str]) -> Json:
    return (await render_list(uow, scope, [obj], expand))[0]


async def render_list(uow: UnitOfWork, scope: Scope, objs: list[Any], expand: list[str]) -> list[Json]:
    if not objs:
        return []
    object_type = type_of(objs[0])
    bodies = await object_type.render_many(uow, scope, objs)
    paths = [p.split(".") for p in expand]
    for obj, body in zip(objs, bodies, strict=True):
        await _expand(uow, scope, object_type, obj, body, paths)
    return bodies


async def _expand(
    uow: UnitOfWork, scope: Scope, object_type: ObjectType, obj: Any, body: Json, paths: list[list[str]]
) -> None:
    if not paths:
        return
    if object_type.include is not None:
        wanted = {".".join(p) for p in paths} & object_type.includable
        if wanted:
            await object_type.include(uow, scope, obj, body, wanted)
    groups: dict[str, list[list[str]]] = {}
    for parts in paths:
        for cut in range(len(parts), 0, -1):
            field_path = ".".join(parts[:cut])
            if field_path in object_type.expandable:
                groups.setdefault(field_path, []).append(parts[cut:])
                break
    for field_path, rests in groups.items():
        *parents, leaf = field_path.split(".")
        holder: Any = body
        for name in parents:
            holder = holder.get(name) if isinstance(holder, dict) else None
        if not isinstance(holder, dict):
            continue
        value = holder.get(leaf)
        target = _BY_NAME[object_type.expandable[field_path]]
        if isinstance(value, list):
            # A list of ids (an invoice's `discounts`): each expands in place.
            holder[leaf] = [await _expand_one(uow, scope, target, v, rests) for v in value]
            continue
        holder[leaf] = await _expand_one(uow, scope, target, value, rests)


async def _expand_one(uow: UnitOfWork, scope: Scope, target: ObjectType, value: Any, rests: list[list[str]]) -> Any:
    object_id = value if isinstance(value, str) else value.get("id") if isinstance(value, dict) else None
    if object_id is None:
        return value
    loaded = await target.loader(uow, scope, object_id)
    if loaded is None:
        return value
    child = value if isinstance(value, dict) else (await target.render_many(uow, scope, [loaded]))[0]
    await _expand(uow, scope, target, loaded, child, [r for r in rests if r])
    return child
