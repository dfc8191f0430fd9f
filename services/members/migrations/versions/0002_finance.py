"""finance: annual grading (QĐ 366), party fees (QĐ 01-QĐ/TW 2026), employment data and the HR import

Seeds the grade scale (domain.md §2: excellent ≥90, good 70–<90, completed 50–<70, not completed <50;
excellent ≤ 20 % of good, warn) and the fee rule set (domain.md §4: 1 % of the previous month's insured
salary, 0.5 % of pension, 5,000 VND for students, 3 unpaid months a year → removal review) from February 2026 (the month QĐ 01 was signed; its own effective date was not found).

Revision ID: 0002_finance
Revises: 0001
"""
from __future__ import annotations

from datetime import date
from decimal import Decimal

import sqlalchemy as sa
from alembic import op


revision = '0002_finance'
down_revision = '0001'
branch_labels = None
depends_on = None

TABLES = ("fee_month", "removal_review", "organization_grade", "member_grade", "hr_task", "hr_import", "fee_sheet",
          "employment", "grade_scale", "fee_rule_set")


def upgrade() -> None:
    op.create_table('fee_rule_set',
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('insured_rate_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('pension_rate_percent', sa.Numeric(precision=6, scale=3), nullable=False),
    sa.Column('student_flat_vnd', sa.Integer(), nullable=False),
    sa.Column('rounding_vnd', sa.Integer(), nullable=False),
    sa.Column('unpaid_months_for_review', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('effective_from')
    )
    op.create_table('grade_scale',
    sa.Column('from_year', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('excellent_min', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('good_min', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('completed_min', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('excellent_quota_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('quota_mode', sa.String(length=10), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.PrimaryKeyConstraint('from_year')
    )
    op.create_table('employment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('hr_employee_id', sa.String(length=50), nullable=True),
    sa.Column('unit', sa.String(length=300), nullable=True),
    sa.Column('position', sa.String(length=200), nullable=True),
    sa.Column('insured_salary_vnd', sa.Integer(), nullable=True),
    sa.Column('pension_vnd', sa.Integer(), nullable=True),
    sa.Column('is_student', sa.Boolean(), nullable=False),
    sa.Column('voluntary_extra_vnd', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=50), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'valid_from')
    )
    op.create_index('ix_employment_hr_id', 'employment', ['hr_employee_id'], unique=False)
    op.create_table('fee_sheet',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('recorded_by', sa.String(length=100), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'month', 'revision')
    )
    op.create_table('hr_import',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('filename', sa.String(length=300), nullable=False),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('scope_org_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('rows', sa.Text(), nullable=False),
    sa.Column('committed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['scope_org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_table('hr_task',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('source_event_id', sa.String(length=36), nullable=False),
    sa.Column('change', sa.String(length=30), nullable=False),
    sa.Column('new_unit', sa.String(length=300), nullable=True),
    sa.Column('message_vi', sa.String(length=500), nullable=False),
    sa.Column('message_en', sa.String(length=500), nullable=False),
    sa.Column('effective_from', sa.Date(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('source_event_id')
    )
    op.create_index('ix_hr_task_org', 'hr_task', ['organization_id', 'status'], unique=False)
    op.create_table('member_grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('grassroots_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['grassroots_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'year')
    )
    op.create_index('ix_member_grade_org_year', 'member_grade', ['grassroots_id', 'year'], unique=False)
    op.create_table('organization_grade',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('pool_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.Column('level', sa.String(length=20), nullable=False),
    sa.Column('decided_on', sa.Date(), nullable=False),
    sa.Column('decided_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['pool_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('organization_id', 'year')
    )
    op.create_index('ix_organization_grade_pool', 'organization_grade', ['pool_id', 'year'], unique=False)
    op.create_table('removal_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('cause', sa.String(length=30), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('raised_on', sa.Date(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'year', 'cause')
    )
    op.create_table('fee_month',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('month', sa.Date(), nullable=False),
    sa.Column('organization_id', sa.Uuid(), nullable=False),
    sa.Column('sheet_id', sa.Integer(), nullable=False),
    sa.Column('due_vnd', sa.Integer(), nullable=False),
    sa.Column('paid_vnd', sa.Integer(), nullable=False),
    sa.Column('basis', sa.String(length=20), nullable=False),
    sa.Column('unpaid', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['sheet_id'], ['fee_sheet.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('member_id', 'month')
    )
    op.create_index('ix_fee_month_sheet', 'fee_month', ['sheet_id'], unique=False)
    _seed()


def _seed() -> None:
    grade_scale = sa.table("grade_scale", sa.column("from_year", sa.Integer), sa.column("excellent_min", sa.Numeric),
                           sa.column("good_min", sa.Numeric), sa.column("completed_min", sa.Numeric),
                           sa.column("excellent_quota_percent", sa.Numeric), sa.column("quota_mode", sa.String),
                           sa.column("source", sa.String))
    op.bulk_insert(grade_scale, [{
        "from_year": 2025, "excellent_min": Decimal("90"), "good_min": Decimal("70"), "completed_min": Decimal("50"),
        "excellent_quota_percent": Decimal("20"), "quota_mode": "warn",
        "source": "QĐ 366-QĐ/TW 30/8/2025 Điều 11; tỷ lệ 20% theo QĐ 124/HD 21 (domain.md §2, chưa kiểm chứng cho QĐ 366)",
    }])
    fee_rule_set = sa.table("fee_rule_set", sa.column("effective_from", sa.Date),
                            sa.column("insured_rate_percent", sa.Numeric), sa.column("pension_rate_percent", sa.Numeric),
                            sa.column("student_flat_vnd", sa.Integer), sa.column("rounding_vnd", sa.Integer),
                            sa.column("unpaid_months_for_review", sa.Integer), sa.column("source", sa.String))
    op.bulk_insert(fee_rule_set, [{
        "effective_from": date(2026, 2, 1), "insured_rate_percent": Decimal("1"), "pension_rate_percent": Decimal("0.5"),
        "student_flat_vnd": 5000, "rounding_vnd": 1, "unpaid_months_for_review": 3,
        "source": "QĐ 01-QĐ/TW 3/2/2026 (domain.md §4)",
    }])


def downgrade() -> None:
    for name in TABLES:
        op.drop_table(name)
