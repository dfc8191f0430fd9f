"""HTTP shapes of grading, fees and the HR integration."""
from __future__ import annotations

import uuid
from datetime import date
from decimal import Decimal
from typing import Literal

from pydantic import BaseModel, Field


class GradeCreate(BaseModel):
    year: int = Field(ge=2000, le=2100)
    score: Decimal = Field(ge=0, le=100, decimal_places=2)
    decided_on: date


class MemberGradeCreate(GradeCreate):
    member_id: uuid.UUID


class OrganizationGradeCreate(GradeCreate):
    organization_id: uuid.UUID


class Warning_(BaseModel):
    field: str
    msg_vi: str
    msg_en: str


class GradePublic(BaseModel):
    subject_id: uuid.UUID
    year: int
    score: Decimal
    level: str
    level_vi: str
    replaced_earlier_grade: bool
    warnings: list[Warning_]


class MemberGradeRow(BaseModel):
    member_id: uuid.UUID
    organization_id: uuid.UUID
    year: int
    score: Decimal
    level: str


class MemberGradesPublic(BaseModel):
    items: list[MemberGradeRow]
    count: int


class Payment(BaseModel):
    member_id: uuid.UUID
    paid_vnd: int = Field(ge=0, le=1_000_000_000)


class FeeSheetCreate(BaseModel):
    organization_id: uuid.UUID
    month: date = Field(description="Any day of the month (the first is stored)")
    payments: list[Payment]


class DueLine(BaseModel):
    member_id: uuid.UUID
    full_name: str
    due_vnd: int
    basis: str
    paid_vnd: int | None = None


class DuesPublic(BaseModel):
    organization_id: uuid.UUID
    month: date
    items: list[DueLine]
    total_due_vnd: int


class FeeSheetPublic(DuesPublic):
    revision: int
    total_paid_vnd: int
    removal_reviews_raised: list[uuid.UUID]


class ArrearsRow(BaseModel):
    member_id: uuid.UUID
    full_name: str
    unpaid_months: list[date]
    count: int
    removal_review_raised: bool


class ArrearsPublic(BaseModel):
    organization_id: uuid.UUID
    year: int
    items: list[ArrearsRow]


class ImportRow(BaseModel):
    line: int
    status: str  # new | update | unchanged | skipped | error
    member_id: uuid.UUID | None
    values: dict
    changes: dict
    reasons: list[dict]  # [{field, vi, en}]


class ImportPublic(BaseModel):
    id: uuid.UUID
    filename: str
    status: str  # previewed | committed
    effective_from: date
    summary: dict
    rows_matching: int  # rows with the requested statuses (all by default)
    offset: int
    rows: list[ImportRow]  # one page of them


class HrTaskPublic(BaseModel):
    id: uuid.UUID
    member_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID
    change: str
    new_unit: str | None
    message_vi: str
    message_en: str
    effective_from: date
    status: str


class HrTasksPublic(BaseModel):
    items: list[HrTaskPublic]
    count: int


class FeeBasisSet(BaseModel):
    valid_from: date
    is_student: bool | None = None
    voluntary_extra_vnd: int | None = Field(None, ge=0, le=1_000_000_000)
    insured_salary_vnd: int | None = Field(None, ge=0, le=10_000_000_000)
    pension_vnd: int | None = Field(None, ge=0, le=10_000_000_000)


class FeeBasisPublic(BaseModel):
    member_id: uuid.UUID
    valid_from: date
    is_student: bool
    voluntary_extra_vnd: int
    insured_salary_vnd: int | None
    pension_vnd: int | None
    unit: str | None
    position: str | None


class GradeScaleSet(BaseModel):
    excellent_min: Decimal = Field(ge=0, le=100)
    good_min: Decimal = Field(ge=0, le=100)
    completed_min: Decimal = Field(ge=0, le=100)
    excellent_quota_percent: Decimal = Field(ge=0, le=100)
    quota_mode: Literal["warn", "refuse", "off"] = "warn"
    source: str = Field("", max_length=300)


class GradeScalePublic(GradeScaleSet):
    from_year: int


class GradeScalesPublic(BaseModel):
    items: list[GradeScalePublic]


class FeeRulesSet(BaseModel):
    insured_rate_percent: Decimal = Field(ge=0, le=100)
    pension_rate_percent: Decimal = Field(ge=0, le=100)
    student_flat_vnd: int = Field(ge=0, le=10_000_000)
    rounding_vnd: int = Field(1, ge=1, le=100_000)
    unpaid_months_for_review: int = Field(3, ge=1, le=12)
    source: str = Field("", max_length=300)


class FeeRulesPublic(FeeRulesSet):
    effective_from: date


class FeeRulesListPublic(BaseModel):
    items: list[FeeRulesPublic]
