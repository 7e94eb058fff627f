"""counters (invoice numbers), throttle keys (atomic rate limits), unique invoice numbers

Revision ID: 5b1e0c9d2a47
Revises: 73732585af0f
Create Date: 2026-12-01 21:30:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5b1e0c9d2a47"
down_revision: str | None = "73732585af0f"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "counters",
        sa.Column("account_id", sa.String(length=64), nullable=False),
        sa.Column("livemode", sa.Boolean(), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("value", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("account_id", "livemode", "name", name=op.f("pk_counters")),
    )
    op.create_table(
        "throttle_keys",
        sa.Column("key", sa.String(length=700), nullable=False),
        sa.Column("touched", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("key", name=op.f("pk_throttle_keys")),
    )
    _number_existing_invoices()
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("attempt_count", sa.Integer(), server_default="0", nullable=False))
        batch_op.create_index("uq_invoices_scope_number", ["account_id", "livemode", "number"], unique=True)


def _number_existing_invoices() -> None:
    """Counters continue where each prefix's numbers stand. Numbers a race handed out twice
    before this revision are given fresh ones (the later invoice keeps its row, not the number)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            "SELECT pk, account_id, livemode, customer_id, number FROM invoices WHERE number IS NOT NULL ORDER BY pk"
        )
    ).all()
    highest: dict[tuple[str, bool, str], int] = {}
    seen: set[tuple[str, bool, str]] = set()
    duplicates = []
    for pk, account_id, livemode, _customer_id, number in rows:
        prefix, _, sequence = str(number).rpartition("-")
        key = (account_id, bool(livemode), f"invoice_number:{prefix}")
        if sequence.isdigit():
            highest[key] = max(highest.get(key, 0), int(sequence))
        if (account_id, bool(livemode), number) in seen:
            duplicates.append((pk, key, prefix))
        seen.add((account_id, bool(livemode), number))
    for pk, key, prefix in duplicates:
        highest[key] = highest.get(key, 0) + 1
        bind.execute(
            sa.text("UPDATE invoices SET number = :number WHERE pk = :pk"),
            {"number": f"{prefix}-{highest[key]:04d}", "pk": pk},
        )
    for (account_id, livemode, name), value in highest.items():
        bind.execute(
            sa.text("INSERT INTO counters (account_id, livemode, name, value) VALUES (:a, :l, :n, :v)"),
            {"a": account_id, "l": livemode, "n": name, "v": value},
        )


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_index("uq_invoices_scope_number")
        batch_op.drop_column("attempt_count")
    op.drop_table("throttle_keys")
    op.drop_table("counters")
