"""Tables of the members' finance sub-areas: grading (QĐ 366), party fees (QĐ 01-QĐ/TW 2026) and the
HR-system integration. On the members registry (one migration history); the member and organization tables
stay in models.py and are referenced by id. Rates and thresholds are rows here, seeded by 0002_finance."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from decimal import Decimal

from sqlalchemy import Column, Index, Numeric, Text, UniqueConstraint
from sqlmodel import Field

from members.models import Base


def _now() -> datetime:
    return datetime.now(timezone.utc)


class GradeScaleRow(Base, table=True):
    """QĐ 366 levels and the excellent quota, versioned by the first year they apply to."""

    __tablename__ = "grade_scale"
    from_year: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    excellent_min: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    good_min: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    completed_min: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    excellent_quota_percent: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    quota_mode: str = Field(max_length=10)
    source: str = Field(default="", max_length=300)


class MemberGrade(Base, table=True):
    __tablename__ = "member_grade"
    __table_args__ = (UniqueConstraint("member_id", "year"), Index("ix_member_grade_org_year", "grassroots_id", "year"))
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    organization_id: uuid.UUID = Field(foreign_key="organization.id")  # the member's cell
    grassroots_id: uuid.UUID = Field(foreign_key="organization.id")  # where the quota is counted
    year: int
    score: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    level: str = Field(max_length=20)
    decided_on: date
    decided_by: str = Field(max_length=100)


class OrganizationGrade(Base, table=True):
    __tablename__ = "organization_grade"
    __table_args__ = (UniqueConstraint("organization_id", "year"), Index("ix_organization_grade_pool", "pool_id", "year"))
    id: int | None = Field(default=None, primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    pool_id: uuid.UUID = Field(foreign_key="organization.id")  # where the quota is counted (the parent)
    year: int
    score: Decimal = Field(sa_column=Column(Numeric(5, 2), nullable=False))
    level: str = Field(max_length=20)
    decided_on: date
    decided_by: str = Field(max_length=100)


class FeeRuleSet(Base, table=True):
    """Party-fee rates from a date (QĐ 01-QĐ/TW 3/2/2026; domain.md §4)."""

    __tablename__ = "fee_rule_set"
    effective_from: date = Field(primary_key=True)
    insured_rate_percent: Decimal = Field(sa_column=Column(Numeric(6, 3), nullable=False))
    pension_rate_percent: Decimal = Field(sa_column=Column(Numeric(6, 3), nullable=False))
    student_flat_vnd: int
    rounding_vnd: int = 1
    unpaid_months_for_review: int = 3
    source: str = Field(default="", max_length=300)


class Employment(Base, table=True):
    """A member's employment data from a date (HR import, HR events, or entered): feeds the fee."""

    __tablename__ = "employment"
    __table_args__ = (UniqueConstraint("member_id", "valid_from"), Index("ix_employment_hr_id", "hr_employee_id"))
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    valid_from: date
    hr_employee_id: str | None = Field(default=None, max_length=50)
    unit: str | None = Field(default=None, max_length=300)
    position: str | None = Field(default=None, max_length=200)
    insured_salary_vnd: int | None = None
    pension_vnd: int | None = None
    is_student: bool = False
    voluntary_extra_vnd: int = 0
    status: str = Field(default="working", max_length=20)  # working | retired | deceased
    source: str = Field(default="", max_length=50)  # hr_import | hr_event | manual
    recorded_at: datetime = Field(default_factory=_now)


class FeeSheet(Base, table=True):
    """One cell's collection sheet for one month; a correction is a new revision."""

    __tablename__ = "fee_sheet"
    __table_args__ = (UniqueConstraint("organization_id", "month", "revision"),)
    id: int | None = Field(default=None, primary_key=True)
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    month: date
    revision: int
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime = Field(default_factory=_now)


class FeeMonth(Base, table=True):
    """Each member's due and paid for a month, from the latest revision of their cell's sheet."""

    __tablename__ = "fee_month"
    __table_args__ = (UniqueConstraint("member_id", "month"), Index("ix_fee_month_sheet", "sheet_id"))
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    month: date
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    sheet_id: int = Field(foreign_key="fee_sheet.id")
    due_vnd: int
    paid_vnd: int
    basis: str = Field(max_length=20)
    unpaid: bool


class RemovalReview(Base, table=True):
    """A removal review raised for a member in a year (once per member, year and cause)."""

    __tablename__ = "removal_review"
    __table_args__ = (UniqueConstraint("member_id", "year", "cause"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    year: int
    cause: str = Field(max_length=30)
    count: int
    raised_on: date


class HrImport(Base, table=True):
    """A previewed HR export: its checked rows, waiting for the commit."""

    __tablename__ = "hr_import"
    id: uuid.UUID = Field(primary_key=True)
    filename: str = Field(max_length=300)
    created_by: str = Field(max_length=100)
    scope_org_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id")
    created_at: datetime = Field(default_factory=_now)
    effective_from: date
    status: str = Field(max_length=20)  # previewed | committed
    summary: str = Field(sa_column=Column(Text, nullable=False))  # JSON: counts by status
    rows: str = Field(sa_column=Column(Text, nullable=False))  # JSON: every row with status and reasons
    committed_at: datetime | None = None


class HrTask(Base, table=True):
    """A to-do for a member's cell raised by an HR change ("start a transfer?"); never a decision."""

    __tablename__ = "hr_task"
    __table_args__ = (Index("ix_hr_task_org", "organization_id", "status"),)
    id: uuid.UUID = Field(primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    source_event_id: str = Field(max_length=36, unique=True)
    change: str = Field(max_length=30)
    new_unit: str | None = Field(default=None, max_length=300)
    message_vi: str = Field(max_length=500)
    message_en: str = Field(max_length=500)
    effective_from: date
    status: str = Field(default="open", max_length=20)
    created_at: datetime = Field(default_factory=_now)
