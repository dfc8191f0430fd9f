"""Merge the two heads (ratings, record); dissolved organizations; rescheduled and cancelled schedules.

Revision ID: 0004_polish
Revises: 0003_ratings, 0003_record
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0004_polish"
down_revision = ("0003_ratings", "0003_record")
branch_labels = None
depends_on = None

ID = sa.String(36)
TS = sa.DateTime(timezone=True)


def upgrade() -> None:
    # OrganizationDissolved (projected by the roster consumer): a cell owes no meeting from this date on
    op.create_table(
        "organization_dissolution",
        sa.Column("organization_id", ID, primary_key=True),
        sa.Column("dissolved_from", sa.Date, nullable=False),
        sa.Column("merged_into_id", ID, nullable=True),
        sa.Column("source_event_id", ID, nullable=False),
    )
    with op.batch_alter_table("meeting_schedule") as batch:
        batch.add_column(sa.Column("revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("changed_by", sa.String(100), nullable=True))
        batch.add_column(sa.Column("changed_at", TS, nullable=True))
        batch.add_column(sa.Column("cancelled_at", TS, nullable=True))
        batch.add_column(sa.Column("cancel_reason", sa.Text, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("meeting_schedule") as batch:
        for column in ("cancel_reason", "cancelled_at", "changed_at", "changed_by", "revision"):
            batch.drop_column(column)
    op.drop_table("organization_dissolution")
