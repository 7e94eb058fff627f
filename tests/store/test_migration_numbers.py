"""The counters migration continues each prefix's invoice numbers and renumbers the duplicates
an old race left, so the unique index can be built on an existing database."""

from __future__ import annotations

import sqlite3
from pathlib import Path

from alembic import command

from app.store.migrate import alembic_config

BEFORE = "73732585af0f"  # the revision before counters


def test_existing_duplicate_numbers_are_renumbered_and_counters_continue(tmp_path: Path) -> None:
    path = tmp_path / "old.db"
    url = f"sqlite+aiosqlite:///{path}"
    command.upgrade(alembic_config(url), BEFORE)
    db = sqlite3.connect(path)
    rows = [
        ("in_1", "cus_a", "ABCD1234-0001"),
        ("in_2", "cus_a", "ABCD1234-0001"),  # the race's duplicate
        ("in_3", "cus_a", "ABCD1234-0002"),
        ("in_4", "cus_b", "FFFF0000-0001"),
        ("in_5", "cus_b", None),  # a draft
    ]
    for i, (invoice_id, customer, number) in enumerate(rows):
        db.execute(
            "INSERT INTO invoices (id, account_id, livemode, created, customer_id, status, collection_method, "
            "currency, lines, amount_paid, number, period_start, period_end, status_transitions, access_token, "
            "metadata) VALUES (?, 'acct_1', 0, ?, ?, 'open', 'charge_automatically', 'usd', '[]', 0, ?, 0, 0, "
            "'{}', ?, '{}')",
            (invoice_id, i, customer, number, f"tok_{i}"),
        )
    db.commit()
    db.close()
    command.upgrade(alembic_config(url), "head")
    db = sqlite3.connect(path)
    numbers = dict(db.execute("SELECT id, number FROM invoices").fetchall())
    counters = dict(db.execute("SELECT name, value FROM counters").fetchall())
    db.close()
    assert numbers == {
        "in_1": "ABCD1234-0001",
        "in_2": "ABCD1234-0003",
        "in_3": "ABCD1234-0002",
        "in_4": "FFFF0000-0001",
        "in_5": None,
    }
    assert counters == {"invoice_number:ABCD1234": 3, "invoice_number:FFFF0000": 1}
