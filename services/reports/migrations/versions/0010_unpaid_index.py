"""fee_unpaid's unpaid members counted from an index alone: (org_id, period) of the rows with ``lines > 0``
(a partial index, SQLite and PostgreSQL). Before, a province's year read each of its ~100,000 rows from the
table to test ``lines``: ~7 ms of a figures request at national scale; now ~1 ms. The query states the
condition as the literal ``lines > 0`` (report_counters.fees): a bound parameter would not match the index.

Revision ID: 0010_unpaid_index
Revises: 0009_grade_stat
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0010_unpaid_index"
down_revision = "0009_grade_stat"
branch_labels = None
depends_on = None

UNPAID = sa.text("lines > 0")


def upgrade() -> None:
    op.create_index("ix_fee_unpaid_unpaid", "fee_unpaid", ["org_id", "period"], sqlite_where=UNPAID,
                    postgresql_where=UNPAID)
    analyzed(op.get_bind(), "ix_fee_unpaid_unpaid")


def analyzed(bind, index: str) -> None:
    """SQLite: a database ANALYZE has seen (sqlite_stat1) gets the new index's statistics too, else the planner
    prefers the indexes it has figures for (measured: the primary key, 6 ms, over this one, 0.5 ms)."""
    if bind.dialect.name == "sqlite" and bind.execute(sa.text(
            "SELECT 1 FROM sqlite_master WHERE name = 'sqlite_stat1'")).first():
        op.execute(f"ANALYZE {index}")


def downgrade() -> None:
    op.drop_index("ix_fee_unpaid_unpaid", "fee_unpaid")
