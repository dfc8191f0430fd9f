"""Initial meetings schema: org/roster projection, meetings, ratings, rubrics (seeded), outbox, inbox.

Revision ID: 0001
Revises:
Create Date: 2026-11-22
"""
import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0001"
down_revision = None
branch_labels = None
depends_on = None

ID = sa.String(36)
TS = sa.DateTime(timezone=True)
# Phú Thọ's bloc rubric implements HD 12-HD/BTCTW of 6/7/2018: in force province-wide from that date.
SEED = Path(__file__).resolve().parent.parent / "data" / "phu_tho_100_v1.json"
SEED_FROM = date(2018, 7, 6)


def upgrade() -> None:
    _projection_tables()
    _meeting_tables()
    _messaging_tables()
    rubric = op.create_table(
        "rubric",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("scope_org_id", ID, nullable=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date, nullable=True),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.UniqueConstraint("code", "version", name="uq_rubric_code_version"),
    )
    definition = json.loads(SEED.read_text(encoding="utf-8"))
    op.bulk_insert(rubric, [{"code": definition["code"], "version": definition["version"], "scope_org_id": None,
                             "effective_from": SEED_FROM, "effective_to": None, "definition": definition}])


def _projection_tables() -> None:
    op.create_table(
        "organization",
        sa.Column("id", ID, primary_key=True),
        sa.Column("name", sa.String(300), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("sector", sa.String(40), nullable=False),
        sa.Column("created_from", sa.Date, nullable=False),
    )
    op.create_table(
        "organization_parent",
        sa.Column("organization_id", ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("parent_id", ID, nullable=True),
    )
    op.create_index("ix_organization_parent_parent_id", "organization_parent", ["parent_id"])
    op.create_table(
        "roster_entry",
        sa.Column("member_id", ID, primary_key=True),
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("full_name", sa.String(200), nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("source_event_id", ID, nullable=False),
    )
    op.create_index("ix_roster_entry_org_from", "roster_entry", ["organization_id", "valid_from"])


def _meeting_tables() -> None:
    op.create_table(
        "meeting",
        sa.Column("id", ID, primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("kind", sa.String(20), nullable=False),
        sa.Column("duration_minutes", sa.Integer, nullable=False),
        sa.Column("checklist", sa.JSON, nullable=False),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("revision", sa.Integer, nullable=False),
        sa.Column("recorded_by", sa.String(100), nullable=False),
        sa.Column("recorded_at", TS, nullable=False),
    )
    op.create_index("ix_meeting_org_held", "meeting", ["organization_id", "held_on"])
    op.create_table(
        "meeting_attendance",
        sa.Column("meeting_id", ID, sa.ForeignKey("meeting.id"), primary_key=True),
        sa.Column("member_id", ID, primary_key=True),
        sa.Column("status", sa.String(20), nullable=False),
        sa.Column("spoke", sa.Boolean, nullable=False),
        sa.Column("absence_reason", sa.String(500), nullable=True),
    )
    op.create_table(
        "meeting_rating",
        sa.Column("meeting_id", ID, primary_key=True),
        sa.Column("revision", sa.Integer, primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("held_on", sa.Date, nullable=False),
        sa.Column("rubric_code", sa.String(60), nullable=False),
        sa.Column("rubric_version", sa.Integer, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("present", sa.Integer, nullable=False),
        sa.Column("expected", sa.Integer, nullable=False),
        sa.Column("speakers", sa.Integer, nullable=False),
        sa.Column("breakdown", sa.JSON, nullable=False),
        sa.Column("rated_at", TS, nullable=False),
    )
    op.create_index("ix_meeting_rating_organization_id", "meeting_rating", ["organization_id"])


def _messaging_tables() -> None:
    op.create_table(
        "outbox",
        sa.Column("seq", sa.BigInteger().with_variant(sa.Integer, "sqlite"), primary_key=True, autoincrement=True),
        sa.Column("event_id", ID, nullable=False, unique=True),
        sa.Column("subject", sa.String(200), nullable=False),
        sa.Column("payload", sa.Text, nullable=False),
        sa.Column("headers", sa.Text, nullable=False),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("published_at", TS, nullable=True),
    )
    op.create_index("ix_outbox_unpublished", "outbox", ["published_at", "seq"])
    op.create_table(
        "processed_events",
        sa.Column("consumer", sa.String(100), primary_key=True),
        sa.Column("event_id", ID, primary_key=True),
        sa.Column("processed_at", TS, nullable=False),
    )


def downgrade() -> None:
    for table in ("processed_events", "outbox", "rubric", "meeting_rating", "meeting_attendance", "meeting",
                  "roster_entry", "organization_parent", "organization"):
        op.drop_table(table)
