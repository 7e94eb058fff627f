"""Append-only rows written with plain INSERTs instead of the ORM's flush.

Events and new portal sessions are written once and never changed by the unit of work that makes
them. For such rows the ORM's unit-of-work bookkeeping (identity map, dependency sort, history)
costs more than the write itself, on the paths that must be fast (issue 9: session create). They
are written with INSERTs compiled once (app/store/direct.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import cache
from typing import Any, TypeVar, cast

from sqlalchemy import Table, insert, inspect
from sqlalchemy.orm import Mapper

from app.store.base import Base
from app.store.direct import Direct

R = TypeVar("R", bound=Base)


@dataclass(frozen=True)
class _Column:
    attribute: str
    name: str
    autoincrement_key: bool
    # Python-side default (SQLAlchemy's `default=`): a value, or a callable given no context.
    default: Callable[[], Any] | None


@cache
def _columns(mapper: Mapper[Any]) -> tuple[Table, tuple[_Column, ...]]:
    table = mapper.local_table
    assert isinstance(table, Table)
    columns = []
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        default: Callable[[], Any] | None = None
        spec = column.default
        if spec is not None and getattr(spec, "is_scalar", False):
            value = spec.arg
            default = lambda value=value: value  # noqa: E731
        elif spec is not None and getattr(spec, "is_callable", False):
            fn = spec.arg
            default = lambda fn=fn: fn(None)  # noqa: E731
        autoincrement = bool(column.primary_key and column.autoincrement)
        columns.append(_Column(attr.key, column.key, autoincrement, default))
    return table, tuple(columns)


def model_values(model: type[Base], given: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    """The row's table and a value for every column but the autoincrement key, by column name, from
    values given by attribute name; Python-side defaults filled in. A name that is not a column is
    a mistake, not something to drop quietly (the ORM's constructor refuses it too)."""
    mapper = inspect(model)
    unknown = set(given) - {column.attribute for column in _columns(mapper)[1]}
    if unknown:
        raise TypeError(f"{model.__name__} has no column {', '.join(sorted(unknown))}")
    return _complete(mapper, given)


def _complete(mapper: Mapper[Any], given: dict[str, Any]) -> tuple[Table, dict[str, Any]]:
    table, columns = _columns(mapper)
    values: dict[str, Any] = {}
    for column in columns:
        if column.attribute in given:
            values[column.name] = given[column.attribute]
        elif not column.autoincrement_key:
            values[column.name] = column.default() if column.default is not None else None
    return table, values


def loaded(model: type[R], values: dict[str, Any]) -> R:
    """An instance holding a row's values (by column name), made the way the ORM's loading makes
    one: the values go straight into its state, without the attribute events a constructor fires
    (they record changes for a flush that will not happen, and cost as much as the INSERT)."""
    mapper = inspect(model)
    instance = cast(R, mapper.class_manager.new_instance())
    state = instance.__dict__
    for column in _columns(mapper)[1]:
        if column.name in values:
            state[column.attribute] = values[column.name]
    return instance


@cache
def inserter(table: Table, keys: tuple[str, ...]) -> Direct:
    """The INSERT of these columns, compiled once (app/store/direct.py). `inline()`: no RETURNING
    of the new primary key, which nothing reads."""
    return Direct(insert(table).inline(), column_keys=keys)
