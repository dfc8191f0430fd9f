"""Indexes for national-scale figures: every figures query reads one subtree's rows by organization
(bench/national.py: 300,000 organizations, 5.6 million members, 4.3 million meetings a year).

Revision ID: 0003_scale_indexes
Revises: 0002_figures
Create Date: 2026-11-22
"""
from alembic import op

revision = "0003_scale_indexes"
down_revision = "0002_figures"
branch_labels = None
depends_on = None

INDEXES = (
    ("ix_meeting_fact_org_held_on", "meeting_fact", ["organization_id", "held_on"]),
    ("ix_member_change_org_day", "member_change", ["org_id", "happened_on"]),
    ("ix_member_change_other_day", "member_change", ["other_org_id", "happened_on"]),
    ("ix_grade_fact_org_year", "grade_fact", ["org_id", "year"]),
    ("ix_obligation_fact_org_end", "obligation_fact", ["org_id", "period_end"]),
)


def upgrade() -> None:
    for name, table, columns in INDEXES:
        op.create_index(name, table, columns)


def downgrade() -> None:
    for name, table, _ in reversed(INDEXES):
        op.drop_index(name, table)
