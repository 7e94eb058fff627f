"""The append-only write path (app/store/append.py) keeps what the ORM would have kept."""

from __future__ import annotations

import pytest

from app.store.append import model_values
from app.store.models import Event


def test_defaults_are_filled_and_unknown_names_refused() -> None:
    table, values = model_values(Event, {"id": "evt_1", "account_id": "acct_1", "livemode": False, "type": "t"})
    assert table.name == "events"
    assert values["fanned_out"] is False and values["pending_webhooks"] == 0  # Python-side defaults
    assert values["data"] is None and "pk" not in values  # no default: NULL; the key: the database's
    with pytest.raises(TypeError, match="no column typo"):
        model_values(Event, {"id": "evt_2", "typo": 1})
