"""Response models of the reports API."""
from __future__ import annotations

import datetime as dt
import uuid
from datetime import date

from pydantic import BaseModel, Field


class Levels(BaseModel):
    tot: int = Field(description="Tốt / good")
    kha: int = Field(description="Khá / fairly good")
    trung_binh: int = Field(description="Trung bình / average")
    kem: int = Field(description="Kém / poor")
    unrated: int = Field(description="Chưa xếp loại / not rated yet")


class AttendanceFigures(BaseModel):
    present: int
    expected: int = Field(description="Members expected: the roster less exempt members")
    rate: float | None = Field(description="present / expected in percent, rounded half up to 1 decimal; null if 0")


class OrgFigures(BaseModel):
    org_id: uuid.UUID
    org_name: str
    period: str = Field(examples=["2026-03", "2026-Q1", "2026"])
    meetings_held: int
    levels: Levels
    attendance: AttendanceFigures


class Figures(OrgFigures):
    """An organization's figures (its whole subtree) and those of each direct child."""

    children: list[OrgFigures]


class Share(BaseModel):
    count: int
    share: float | None = Field(description="count / total in percent (queries.percent: half up, 1 decimal)")


class ObligationFigures(BaseModel):
    required: int = Field(description="Obligations closed in the range (MeetingObligationClosed)")
    held: int
    missed: int
    missed_share: float | None


class MeetingFigures(BaseModel):
    held: int
    held_by_kind: dict[str, int]
    obligations: dict[str, ObligationFigures] = Field(description="regular, thematic, committee")
    levels: dict[str, Share] = Field(description="tot, kha, trung_binh, kem, unrated; share of meetings held")
    attendance: AttendanceFigures
    speakers: dict[str, int | float | None] = Field(description="count, present, share of those present who spoke")
    upper_level: dict[str, int | float | None] = Field(description="meetings an upper-level member attended")


class MemberFigures(BaseModel):
    on: date = Field(description="The roll is counted on the range's last day")
    total: int
    status: dict[str, int]
    sector: dict[str, int]
    sex: dict[str, int]
    age_band: dict[str, int]
    ethnicity: dict[str, int]
    religion: dict[str, int]
    education_level: dict[str, int]
    political_theory_level: dict[str, int]
    party_age_band: dict[str, int]


class FeeFigures(BaseModel):
    due_vnd: int
    collected_vnd: int
    collected_share: float | None
    unpaid_members: int = Field(description="Members with a month in the range paid below what was due")


class GradeDistribution(BaseModel):
    total: int
    excellent: Share
    good: Share
    completed: Share
    not_completed: Share


class Alert(BaseModel):
    member_id: uuid.UUID
    member_name: str
    org_id: uuid.UUID = Field(description="The cell")
    org_name: str
    reason: str = Field(description="unpaid_fees | unexcused | excused_consecutive | overdue_probation")
    count: int = Field(description="Unpaid months, absences, or working days past the 12-month mark")
    date: dt.date = Field(description="Raised on; for a probation the 12-month mark")
    probation_from: dt.date | None = Field(None, description="Probations: the admission ceremony")


class AlertFigures(BaseModel):
    removal_reviews: list[Alert] = Field(description="RemovalReviewRaised in the range")
    absence_limits: list[Alert] = Field(description="AbsenceLimitReached in the range")
    overdue_probations: list[Alert] = Field(description="On the range's last day (today at most)")
    totals: dict[str, int] = Field(description="How many of each kind in all; each list holds the first "
                                              "`alert_items` of them by date (the exports: all)")


class FullFigures(Figures):
    """Figures (above) plus every section of the committees' reports over the range (see the reports README)."""

    range: dict[str, date]
    tree: str = Field(description="as_was: the tree in force at each date; today: today's tree")
    meetings: MeetingFigures
    members: MemberFigures
    changes: dict[str, int]
    fees: FeeFigures
    grading: dict[str, GradeDistribution] = Field(description="members, organizations")
    alerts: AlertFigures
