"""Alerts: removal reviews and absence limits per member and cell, each member's name and probation, the
probation rules (data, effective-dated, seeded from domain.md §3) and the public holidays skipped when counting
working days. Merges the two 0002 heads (figures, exports).

Revision ID: 0003_alerts
Revises: 0002_exports, 0002_figures
Create Date: 2026-11-22
"""
from datetime import date

from alembic import op
import sqlalchemy as sa

revision = "0003_alerts"
down_revision = ("0002_exports", "0002_figures")
branch_labels = None
depends_on = None

# domain.md §3 (Điều lệ Đảng; QĐ 29/2016): probation runs 12 months from the admission ceremony, and the cell
# must decide within 30 working days after the 12-month mark. Correct them by inserting a later valid_from.
RULES = [("probation_months", 12, "Thời gian dự bị (tháng), tính từ ngày kết nạp",
          "Probation in months from the admission ceremony",
          "domain.md §3: Điều lệ Đảng, probation 12 months"),
         ("probation_decision_working_days", 30,
          "Thời hạn xét chuyển chính thức (ngày làm việc) sau khi hết dự bị",
          "Working days after the 12-month mark to decide",
          "domain.md §3: QĐ 29/2016, within 30 working days")]


def upgrade() -> None:
    op.create_table(
        "member_alert",
        sa.Column("kind", sa.String(20), nullable=False), sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(36), nullable=False), sa.Column("year", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(30), nullable=False), sa.Column("count", sa.Integer, nullable=False),
        sa.Column("raised_on", sa.Date, nullable=False), sa.Column("meeting_id", sa.String(36), nullable=True),
        sa.Column("occurred_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("kind", "member_id", "org_id", "year", "reason"))
    op.create_index("ix_member_alert_raised_on", "member_alert", ["raised_on"])
    op.create_table(
        "member_info",
        sa.Column("member_id", sa.String(36), primary_key=True), sa.Column("full_name", sa.String(200), nullable=True),
        sa.Column("probation_from", sa.Date, nullable=True), sa.Column("probation_until", sa.Date, nullable=True))
    # open probations are read by "probation_until > day": 9999-12-31 while undecided, so the index finds the few
    op.create_index("ix_member_info_probation_until", "member_info", ["probation_until"])
    rules = op.create_table(
        "alert_rule",
        sa.Column("code", sa.String(40), nullable=False), sa.Column("valid_from", sa.Date, nullable=False),
        sa.Column("value", sa.Integer, nullable=False), sa.Column("label_vi", sa.String(200), nullable=False),
        sa.Column("label_en", sa.String(200), nullable=False), sa.Column("source", sa.String(200), nullable=False),
        sa.PrimaryKeyConstraint("code", "valid_from"))
    op.bulk_insert(rules, [{"code": c, "valid_from": date(1930, 2, 3), "value": v, "label_vi": vi, "label_en": en,
                            "source": s} for c, v, vi, en, s in RULES])
    op.create_table(
        "public_holiday",
        sa.Column("day", sa.Date, primary_key=True), sa.Column("name_vi", sa.String(200), nullable=False))


def downgrade() -> None:
    for table in ("public_holiday", "alert_rule", "member_info", "member_alert"):
        op.drop_table(table)
