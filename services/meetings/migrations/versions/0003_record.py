"""The meeting record as HD 12 / HD 42 describe it, obligations (rules seeded as data), schedules and notices,
upper-level supervision.

Revision ID: 0003_record
Revises: 0002
Create Date: 2026-11-22
"""
import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0003_record"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(36)
TS = sa.DateTime(timezone=True)
# Charter Art. 24, HD 12/2018, HD 42/2025 (domain.md §1, §5): see the file's "source" per rule.
RULES = Path(__file__).resolve().parent.parent / "data" / "obligation_rules_v1.json"


def upgrade() -> None:
    with op.batch_alter_table("meeting") as batch:
        batch.add_column(sa.Column("details", sa.JSON, nullable=True))
    _obligation_tables()
    _schedule_tables()
    _supervision_tables()


def _obligation_tables() -> None:
    rule = op.create_table(
        "obligation_rule",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("obligation", sa.String(20), nullable=False),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date, nullable=True),
        sa.Column("definition", sa.JSON, nullable=False),
    )
    data = json.loads(RULES.read_text(encoding="utf-8"))
    start = date.fromisoformat(data["effective_from"])
    op.bulk_insert(rule, [{"obligation": r["obligation"], "effective_from": start, "effective_to": None,
                           "definition": r} for r in data["rules"]])
    op.create_table(
        "cell_committee_flag",
        sa.Column("organization_id", ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("has_committee", sa.Boolean, nullable=False),
        sa.Column("set_by", sa.String(100), nullable=False),
        sa.Column("set_at", TS, nullable=False),
    )
    op.create_table(
        "committee_meeting",
        sa.Column("id", ID, primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("note", sa.Text, nullable=True),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_index("ix_committee_meeting_org_held", "committee_meeting", ["organization_id", "held_on"])
    op.create_table(
        "obligation_closure",
        sa.Column("organization_id", ID, primary_key=True),
        sa.Column("obligation", sa.String(20), primary_key=True),
        sa.Column("period_start", sa.Date, primary_key=True),
        sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("met", sa.Boolean, nullable=False),
        sa.Column("meeting_id", ID, nullable=True),
        sa.Column("event_id", ID, nullable=False),
        sa.Column("closed_at", TS, nullable=False),
    )


def _schedule_tables() -> None:
    op.create_table(
        "meeting_schedule",
        sa.Column("id", ID, primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("starts_at", TS, nullable=False),
        sa.Column("place", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("agenda", sa.JSON, nullable=False),
        sa.Column("materials", sa.JSON, nullable=False),
        sa.Column("scheduled_by", sa.String(100), nullable=False),
        sa.Column("scheduled_at", TS, nullable=False),
    )
    op.create_index("ix_meeting_schedule_organization_id", "meeting_schedule", ["organization_id"])
    op.create_table(
        "notice",
        sa.Column("id", ID, primary_key=True),
        sa.Column("member_id", ID, nullable=True),
        sa.Column("username", sa.String(100), nullable=True),
        sa.Column("schedule_id", ID, nullable=False),
        sa.Column("title", sa.String(300), nullable=False),
        sa.Column("body", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("read_at", TS, nullable=True),
    )
    op.create_index("ix_notice_member_id", "notice", ["member_id"])
    op.create_index("ix_notice_username", "notice", ["username"])
    op.create_table(
        "member_account",
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("member_id", ID, nullable=False),
        sa.Column("linked_by", sa.String(100), nullable=False),
        sa.Column("linked_at", TS, nullable=False),
    )


def _supervision_tables() -> None:
    op.create_table(
        "supervision_assignment",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("committee_id", ID, nullable=False),
        sa.Column("cell_id", ID, nullable=False),
        sa.Column("username", sa.String(100), nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("assigned_by", sa.String(100), nullable=False),
        sa.Column("assigned_at", TS, nullable=False),
    )
    op.create_index("ix_supervision_assignment_cell_id", "supervision_assignment", ["cell_id"])
    op.create_index("ix_supervision_assignment_username", "supervision_assignment", ["username"])
    op.create_table(
        "supervision_visit",
        sa.Column("meeting_id", ID, primary_key=True),
        sa.Column("username", sa.String(100), primary_key=True),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("attended", sa.Boolean, nullable=False),
        sa.Column("remarks", sa.Text, nullable=True),
        sa.Column("logged_by", sa.String(100), nullable=False),
        sa.Column("logged_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("supervision_visit", "supervision_assignment", "member_account", "notice", "meeting_schedule",
                  "obligation_closure", "committee_meeting", "cell_committee_flag", "obligation_rule"):
        op.drop_table(table)
    with op.batch_alter_table("meeting") as batch:
        batch.drop_column("details")
