"""Ratings that recalculate themselves: rating history columns, member standings (exempt / away),
re-rating jobs, the endorsement workflow, absence alerts, cross-meeting rules (seeded) and the
HD 12 framework rubric (seeded as a template).

Revision ID: 0003_ratings
Revises: 0002
Create Date: 2026-11-22
"""
import json
from datetime import date
from pathlib import Path

import sqlalchemy as sa
from alembic import op

revision = "0003_ratings"
down_revision = "0002"
branch_labels = None
depends_on = None

ID = sa.String(36)
TS = sa.DateTime(timezone=True)
DATA = Path(__file__).resolve().parent.parent / "data"
HD12_FROM = date(2018, 7, 6)  # HD 12-HD/BTCTW of 6/7/2018 (domain.md §1)


def upgrade() -> None:
    with op.batch_alter_table("meeting_rating") as batch:
        batch.add_column(sa.Column("meeting_revision", sa.Integer, nullable=False, server_default="1"))
        batch.add_column(sa.Column("kind", sa.String(20), nullable=False, server_default="regular"))
        batch.add_column(sa.Column("upper_level_attended", sa.Boolean, nullable=False, server_default=sa.false()))
        batch.add_column(sa.Column("cause", sa.String(20), nullable=False, server_default="recorded"))
    op.execute("UPDATE meeting_rating SET meeting_revision = revision")
    op.execute("UPDATE meeting_rating SET kind = (SELECT meeting.kind FROM meeting WHERE meeting.id = "
               "meeting_rating.meeting_id) WHERE EXISTS (SELECT 1 FROM meeting WHERE meeting.id = meeting_rating.meeting_id)")
    op.create_index("ix_meeting_rating_org_held", "meeting_rating", ["organization_id", "held_on"])
    with op.batch_alter_table("rubric") as batch:
        batch.add_column(sa.Column("status", sa.String(20), nullable=False, server_default="in_force"))
        batch.add_column(sa.Column("created_by", sa.String(100), nullable=True))
    rubric = sa.table("rubric", sa.column("code"), sa.column("version"), sa.column("scope_org_id"),
                      sa.column("effective_from", sa.Date), sa.column("effective_to", sa.Date),
                      sa.column("definition", sa.JSON), sa.column("status"), sa.column("created_by"))
    hd12 = json.loads((DATA / "hd12_framework_v1.json").read_text(encoding="utf-8"))
    op.bulk_insert(rubric, [{"code": hd12["code"], "version": hd12["version"], "scope_org_id": None,
                             "effective_from": HD12_FROM, "effective_to": None, "definition": hd12,
                             "status": "template", "created_by": "migration 0003_ratings"}])
    _tables()
    rules = json.loads((DATA / "meeting_rules_v1.json").read_text(encoding="utf-8"))
    op.bulk_insert(sa.table("meeting_rule", sa.column("code"), sa.column("version"), sa.column("scope_org_id"),
                            sa.column("effective_from", sa.Date), sa.column("effective_to", sa.Date),
                            sa.column("definition", sa.JSON)),
                   [{"code": rules["code"], "version": rules["version"], "scope_org_id": None,
                     "effective_from": HD12_FROM, "effective_to": None, "definition": rules}])


def _tables() -> None:
    op.create_table(
        "member_standing",
        sa.Column("member_id", ID, primary_key=True),
        sa.Column("kind", sa.String(20), primary_key=True),  # exempt | away
        sa.Column("valid_from", sa.Date, primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True),
        sa.Column("source_event_id", ID, nullable=False),
    )
    op.create_table(
        "rerate_job",
        sa.Column("id", ID, primary_key=True),
        sa.Column("cause", sa.String(20), nullable=False),
        sa.Column("scope_org_id", ID, nullable=True),
        sa.Column("organization_ids", sa.JSON, nullable=True),
        sa.Column("date_from", sa.Date, nullable=False),
        sa.Column("date_to", sa.Date, nullable=True),
        sa.Column("cursor", sa.String(80), nullable=False, server_default=""),
        sa.Column("rerated", sa.Integer, nullable=False, server_default="0"),
        sa.Column("attempts", sa.Integer, nullable=False, server_default="0"),
        sa.Column("last_error", sa.Text, nullable=True),
        sa.Column("created_at", TS, nullable=False),
        sa.Column("done_at", TS, nullable=True),
        sa.Column("failed_at", TS, nullable=True),
    )
    op.create_index("ix_rerate_job_pending", "rerate_job", ["done_at", "failed_at", "created_at"])
    op.create_table(
        "rating_endorsement",
        sa.Column("meeting_id", ID, primary_key=True),
        sa.Column("rating_revision", sa.Integer, primary_key=True),
        sa.Column("step", sa.String(20), primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("score", sa.Float, nullable=False),
        sa.Column("level", sa.String(20), nullable=False),
        sa.Column("by", sa.String(100), nullable=False),
        sa.Column("votes_for", sa.Integer, nullable=True),
        sa.Column("votes_against", sa.Integer, nullable=True),
        sa.Column("at", TS, nullable=False),
    )
    op.create_table(
        "absence_alert",
        sa.Column("member_id", ID, primary_key=True),
        sa.Column("year", sa.Integer, primary_key=True),
        sa.Column("rule", sa.String(30), primary_key=True),
        sa.Column("organization_id", ID, nullable=False),
        sa.Column("count", sa.Integer, nullable=False),
        sa.Column("meeting_id", ID, nullable=False),
        sa.Column("raised_at", TS, nullable=False),
    )
    op.create_table(
        "meeting_rule",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=True),
        sa.Column("code", sa.String(60), nullable=False),
        sa.Column("version", sa.Integer, nullable=False),
        sa.Column("scope_org_id", ID, nullable=True),
        sa.Column("effective_from", sa.Date, nullable=False),
        sa.Column("effective_to", sa.Date, nullable=True),
        sa.Column("definition", sa.JSON, nullable=False),
        sa.UniqueConstraint("code", "version", name="uq_meeting_rule_code_version"),
    )


def downgrade() -> None:
    for table in ("meeting_rule", "absence_alert", "rating_endorsement", "rerate_job", "member_standing"):
        op.drop_table(table)
    op.execute("DELETE FROM rubric WHERE code = 'hd12-framework'")
    with op.batch_alter_table("rubric") as batch:
        batch.drop_column("created_by")
        batch.drop_column("status")
    op.drop_index("ix_meeting_rating_org_held", "meeting_rating")
    with op.batch_alter_table("meeting_rating") as batch:
        for column in ("cause", "upper_level_attended", "kind", "meeting_revision"):
            batch.drop_column(column)
