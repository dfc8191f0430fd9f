"""The member roll's month deltas (reports/roll_months.py): ``roll_month`` and ``roll_basis``. Merges the two
0003 heads (alerts, scale indexes).

A fresh database (no spans yet) starts with the counters built for the seeded bands; a database that already
holds spans reads the live roll until ``python -m reports.cli reroll`` builds them.

Revision ID: 0004_roll
Revises: 0003_alerts, 0003_scale_indexes
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0004_roll"
down_revision = ("0003_alerts", "0003_scale_indexes")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "roll_month",
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("month", sa.String(7), nullable=False),
        sa.Column("dimension", sa.String(30), nullable=False), sa.Column("value", sa.String(300), nullable=False),
        sa.Column("delta", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "month", "dimension", "value"),
        sqlite_with_rowid=False)  # SQLite: rows stored in key order, an org's months read as one range
    basis = op.create_table(
        "roll_basis", sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("form", sa.Text, nullable=True))
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT COUNT(*) FROM member_span")).scalar_one() == 0:
        op.bulk_insert(basis, [{"id": 1, "form": "cohorts-1"}])  # reports.roll_months.FORM


def downgrade() -> None:
    op.drop_table("roll_basis")
    op.drop_table("roll_month")
