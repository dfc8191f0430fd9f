"""Projection tables: org_node, org_parent, meeting_fact, period_stat, projection_lock, processed_events.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    # Tables keyed by random ids are clustered on their key in SQLite (WITHOUT ROWID): one B-tree to
    # update per row instead of two, which halves the pages a projection batch writes.
    op.create_table(
        "org_node",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("sector", sa.String(40), nullable=False),
        sa.Column("cluster", sa.String(200), nullable=True),
        sa.Column("effective_from", sa.Date, nullable=False),
    )
    op.create_table(
        "org_parent",
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("parent_id", sa.String(36), nullable=True),
        sa.PrimaryKeyConstraint("org_id", "valid_from"),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_org_parent_parent_id", "org_parent", ["parent_id"])
    op.create_table(
        "meeting_fact",
        sa.Column("meeting_id", sa.String(36), primary_key=True),
        sa.Column("organization_id", sa.String(36), nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("recorded_revision", sa.Integer, nullable=False),
        sa.Column("rated_revision", sa.Integer, nullable=False),
        sa.Column("level", sa.String(20), nullable=True),
        sa.Column("present", sa.Integer, nullable=False),
        sa.Column("expected", sa.Integer, nullable=False),
        sa.Column("speakers", sa.Integer, nullable=False),
        sa.Column("rolled_path", sa.Text, nullable=False),
        sa.Column("path_tail", sa.String(36), nullable=False),
        sqlite_with_rowid=False,
    )
    op.create_index("ix_meeting_fact_path_tail", "meeting_fact", ["path_tail"])
    counters = ("meetings_held", "tot", "kha", "trung_binh", "kem", "unrated", "present", "expected", "speakers")
    op.create_table(
        "period_stat",
        sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("period", sa.String(7), nullable=False),
        *[sa.Column(name, sa.Integer, nullable=False, server_default="0") for name in counters],
        sa.PrimaryKeyConstraint("org_id", "period"),
        sqlite_with_rowid=False,
    )
    lock = op.create_table(
        "projection_lock",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("batches", sa.BigInteger, nullable=False),
    )
    op.bulk_insert(lock, [{"id": 1, "batches": 0}])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), nullable=False),
        sa.Column("event_id", sa.String(36), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
        sqlite_with_rowid=False,
    )


def downgrade() -> None:
    for table in ("processed_events", "projection_lock", "period_stat", "meeting_fact", "org_parent", "org_node"):
        op.drop_table(table)
