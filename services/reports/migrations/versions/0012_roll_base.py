"""roll_base: each org's roll deltas summed up to a base month (reports/roll_months.py, "A base month").

The roll of a province on a month's last day summed every delta since its first month (~22,000 rows, ~15 ms at
national scale, more every month). Now it reads the sums up to the base plus the months after it. The base
starts at December of the year before last, filled here from roll_month as ``roll_months.advance_base`` would;
the service's background job moves it on to ``roll_months.base_target`` (since 2026-11-23: December of last year)
at start and each year after. A database whose counters are not built yet (no
roll_basis row: ``reports.cli reroll`` pending) gets no base until the job finds them built.

Revision ID: 0012_roll_base
Revises: 0011_roll_until
Create Date: 2026-11-22
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0012_roll_base"
down_revision = "0011_roll_until"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("roll_basis", sa.Column("base_month", sa.String(7), nullable=True))
    op.create_table(
        "roll_base",
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("dimension", sa.String(30), nullable=False),
        sa.Column("value", sa.String(300), nullable=False), sa.Column("total", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "dimension", "value"), sqlite_with_rowid=False)
    bind = op.get_bind()
    if bind.execute(sa.text("SELECT form FROM roll_basis WHERE id = 1")).scalar_one_or_none() is None:
        return
    base = f"{date.today().year - 2}-12"  # the service's keeper moves it on to roll_months.base_target at start
    op.execute(sa.text("INSERT INTO roll_base (org_id, dimension, value, total) "
                       "SELECT org_id, dimension, value, SUM(delta) FROM roll_month WHERE month <= :base "
                       "GROUP BY org_id, dimension, value HAVING SUM(delta) <> 0").bindparams(base=base))
    op.execute(sa.text("UPDATE roll_basis SET base_month = :base WHERE id = 1").bindparams(base=base))


def downgrade() -> None:
    op.drop_table("roll_base")
    with op.batch_alter_table("roll_basis") as batch:
        batch.drop_column("base_month")
