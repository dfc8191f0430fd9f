"""Figures for any subtree and period: member roll and changes, obligations, fees, grades, organization
attributes over time, statistical bands (seeded), upper-level attendance, projection generation pointer.

Revision ID: 0002_figures
Revises: 0001
Create Date: 2026-11-22
"""
from datetime import date

from alembic import op
import sqlalchemy as sa

revision = "0002_figures"
down_revision = "0001"
branch_labels = None
depends_on = None

# Default bands (domain.md §7: HD 11-HD/BTCTW 2021 statistical forms; ⚠ their exact columns are unverified, so
# these are data, effective-dated, to be corrected by inserting rows with a later valid_from).
AGE_BANDS = [("to_30", 0, "Đến 30 tuổi", "Up to 30"), ("31_40", 31, "Từ 31 đến 40 tuổi", "31 to 40"),
             ("41_50", 41, "Từ 41 đến 50 tuổi", "41 to 50"), ("51_60", 51, "Từ 51 đến 60 tuổi", "51 to 60"),
             ("61_70", 61, "Từ 61 đến 70 tuổi", "61 to 70"), ("over_70", 71, "Trên 70 tuổi", "Over 70")]
PARTY_AGE_BANDS = [("under_10", 0, "Dưới 10 năm", "Under 10 years"), ("10_19", 10, "Từ 10 đến dưới 20 năm", "10 to 19"),
                   ("20_29", 20, "Từ 20 đến dưới 30 năm", "20 to 29"), ("30_39", 30, "Từ 30 đến dưới 40 năm", "30 to 39"),
                   ("40_49", 40, "Từ 40 đến dưới 50 năm", "40 to 49"), ("50_plus", 50, "Từ 50 năm trở lên", "50 and more")]


def upgrade() -> None:
    op.add_column("meeting_fact", sa.Column("upper_level_attended", sa.Boolean, nullable=False,
                                            server_default=sa.false()))
    op.create_index("ix_meeting_fact_held_on", "meeting_fact", ["held_on"])  # reports read facts by date range
    op.add_column("org_node", sa.Column("dissolved_on", sa.Date, nullable=True))
    op.create_table(
        "org_attr",
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("attr", sa.String(10), nullable=False),
        sa.Column("valid_from", sa.Date, nullable=False), sa.Column("value", sa.String(300), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "attr", "valid_from"), sqlite_with_rowid=False)
    op.create_table(
        "member_event",
        sa.Column("event_id", sa.String(36), primary_key=True), sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("subject", sa.String(100), nullable=False), sa.Column("payload", sa.Text, nullable=False))
    op.create_index("ix_member_event_member_id", "member_event", ["member_id"])
    op.create_table(
        "member_span",
        sa.Column("member_id", sa.String(36), nullable=False), sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("valid_to", sa.Date, nullable=True), sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("status", sa.String(20), nullable=False), sa.Column("sex", sa.String(10), nullable=True),
        sa.Column("date_of_birth", sa.Date, nullable=True), sa.Column("ethnicity", sa.String(60), nullable=True),
        sa.Column("religion", sa.String(60), nullable=True), sa.Column("education_level", sa.String(60), nullable=True),
        sa.Column("political_theory_level", sa.String(60), nullable=True),
        sa.Column("party_age_start", sa.Date, nullable=True),
        sa.PrimaryKeyConstraint("member_id", "valid_from"))
    op.create_index("ix_member_span_valid_to", "member_span", ["valid_to"])
    op.create_index("ix_member_span_org_id", "member_span", ["org_id"])
    op.create_table(
        "member_change",
        sa.Column("event_id", sa.String(36), primary_key=True), sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("kind", sa.String(40), nullable=False), sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("other_org_id", sa.String(36), nullable=True), sa.Column("happened_on", sa.Date, nullable=False))
    op.create_index("ix_member_change_happened_on", "member_change", ["happened_on"])
    op.create_table(
        "obligation_fact",
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("obligation", sa.String(20), nullable=False),
        sa.Column("period_start", sa.Date, nullable=False), sa.Column("period_end", sa.Date, nullable=False),
        sa.Column("met", sa.Boolean, nullable=False), sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_id", "obligation", "period_start"))
    op.create_index("ix_obligation_fact_period_end", "obligation_fact", ["period_end"])
    op.create_table(
        "fee_sheet",
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("month", sa.Date, nullable=False),
        sa.Column("revision", sa.Integer, nullable=False), sa.PrimaryKeyConstraint("org_id", "month"))
    op.create_table(
        "fee_line",
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("month", sa.Date, nullable=False),
        sa.Column("member_id", sa.String(36), nullable=False), sa.Column("due_vnd", sa.BigInteger, nullable=False),
        sa.Column("paid_vnd", sa.BigInteger, nullable=False), sa.PrimaryKeyConstraint("org_id", "month", "member_id"))
    op.create_index("ix_fee_line_month", "fee_line", ["month"])
    op.create_table(
        "grade_fact",
        sa.Column("subject_kind", sa.String(12), nullable=False), sa.Column("subject_id", sa.String(36), nullable=False),
        sa.Column("year", sa.Integer, nullable=False), sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("level", sa.String(20), nullable=False), sa.Column("decided_on", sa.Date, nullable=False),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("subject_kind", "subject_id", "year"))
    bands = op.create_table(
        "stat_band",
        sa.Column("dimension", sa.String(20), nullable=False), sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("code", sa.String(20), nullable=False), sa.Column("min_years", sa.Integer, nullable=False),
        sa.Column("label_vi", sa.String(100), nullable=False), sa.Column("label_en", sa.String(100), nullable=False),
        sa.PrimaryKeyConstraint("dimension", "valid_from", "code"))
    since = date(1930, 2, 3)
    op.bulk_insert(bands, [{"dimension": dim, "valid_from": since, "code": c, "min_years": m, "label_vi": vi,
                            "label_en": en}
                           for dim, rows in (("age", AGE_BANDS), ("party_age", PARTY_AGE_BANDS))
                           for c, m, vi, en in rows])
    generation = op.create_table(
        "projection_generation",
        sa.Column("id", sa.Integer, primary_key=True, autoincrement=False),
        sa.Column("generation", sa.Integer, nullable=False), sa.Column("database_url", sa.Text, nullable=True))
    op.bulk_insert(generation, [{"id": 1, "generation": 0, "database_url": None}])


def downgrade() -> None:
    for table in ("projection_generation", "stat_band", "grade_fact", "fee_line", "fee_sheet", "obligation_fact",
                  "member_change", "member_span", "member_event", "org_attr"):
        op.drop_table(table)
    op.drop_column("org_node", "dissolved_on")
    op.drop_index("ix_meeting_fact_held_on", "meeting_fact")
    op.drop_column("meeting_fact", "upper_level_attended")
