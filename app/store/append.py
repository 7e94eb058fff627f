"""Append-only rows written with plain INSERTs instead of the ORM's flush.

Events and new portal sessions are written once and never changed by the unit of work that makes
them. For such rows the ORM's unit-of-work bookkeeping (identity map, dependency sort, history)
costs more than the write itself, on the paths that must be fast (issue 9: session create).
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import Table, inspect

from app.store.base import Base


def column_values(row: Base) -> tuple[Table, dict[str, Any]]:
    """The row's table and a value for every column but an unset autoincrement key. Python-side
    defaults are applied to the object too, so what callers render is what is stored."""
    state = inspect(row)
    mapper = state.mapper
    table = mapper.local_table
    assert isinstance(table, Table)
    values: dict[str, Any] = {}
    for attr in mapper.column_attrs:
        column = attr.columns[0]
        if attr.key in state.dict:
            values[column.key] = state.dict[attr.key]
            continue
        if column.primary_key and column.autoincrement:
            continue
        default = column.default
        value = None
        if default is not None and getattr(default, "is_scalar", False):
            value = default.arg
        elif default is not None and getattr(default, "is_callable", False):
            value = default.arg(None)
        setattr(row, attr.key, value)
        values[column.key] = value
    return table, values
