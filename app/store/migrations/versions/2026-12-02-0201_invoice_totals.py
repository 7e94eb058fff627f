"""Invoices keep their total (after discounts) in a column, so search can compare `total`.

Revision ID: 5a9ec87e85a8
Revises: fd55593941f5
Create Date: 2026-12-02 02:01:30.418478
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "5a9ec87e85a8"
down_revision: str | None = "fd55593941f5"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.add_column(sa.Column("total", sa.BigInteger(), server_default="0", nullable=False))
    # Existing invoices: their lines' amounts less their discount amounts.
    invoices = sa.table("invoices", sa.column("pk", sa.BigInteger()), sa.column("lines", sa.JSON()), sa.column("total"))
    bind = op.get_bind()
    for pk, lines in bind.execute(sa.select(invoices.c.pk, invoices.c.lines)).all():
        total = sum(
            int(line.get("amount", 0)) - sum(int(d.get("amount", 0)) for d in line.get("discount_amounts") or [])
            for line in lines or []
        )
        if total:
            bind.execute(sa.update(invoices).where(invoices.c.pk == pk).values(total=total))


def downgrade() -> None:
    with op.batch_alter_table("invoices", schema=None) as batch_op:
        batch_op.drop_column("total")
