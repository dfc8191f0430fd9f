"""The public holidays move to one dataset for every service (shared/data/public_holidays.json, read by
shared.calendar): the reports' own table, which started empty and so disagreed with the members service's
holidays, is dropped.

Revision ID: 0004_shared_holidays
Revises: 0003_alerts
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_shared_holidays"
down_revision = "0003_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.drop_table("public_holiday")


def downgrade() -> None:
    op.create_table(
        "public_holiday",
        sa.Column("day", sa.Date, primary_key=True), sa.Column("name_vi", sa.String(200), nullable=False))
