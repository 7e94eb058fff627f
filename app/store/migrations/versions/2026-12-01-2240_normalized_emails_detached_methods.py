"""customers.email_normalized (Unicode lower case, for the login page on SQLite too);
payment_methods.detached_at (a detached method is never attached again)

Revision ID: 8c3f6e2b9d10
Revises: 5b1e0c9d2a47
Create Date: 2026-12-01 22:40:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "8c3f6e2b9d10"
down_revision: str | None = "5b1e0c9d2a47"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.add_column(sa.Column("email_normalized", sa.String(length=512), nullable=True))
        batch_op.create_index(
            "ix_customers_scope_email_normalized", ["account_id", "livemode", "email_normalized"], unique=False
        )
    with op.batch_alter_table("payment_methods", schema=None) as batch_op:
        batch_op.add_column(sa.Column("detached_at", sa.BigInteger(), nullable=True))
    # Python's lower() folds every script; the databases' lower() does not on SQLite.
    bind = op.get_bind()
    rows = bind.execute(sa.text("SELECT pk, email FROM customers WHERE email IS NOT NULL")).all()
    for pk, email in rows:
        bind.execute(
            sa.text("UPDATE customers SET email_normalized = :e WHERE pk = :pk"), {"e": email.strip().lower(), "pk": pk}
        )


def downgrade() -> None:
    with op.batch_alter_table("payment_methods", schema=None) as batch_op:
        batch_op.drop_column("detached_at")
    with op.batch_alter_table("customers", schema=None) as batch_op:
        batch_op.drop_index("ix_customers_scope_email_normalized")
        batch_op.drop_column("email_normalized")
