"""HTTP request and response models of the meetings API."""
from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from pydantic import BaseModel, Field

from shared.events import AttendanceStatus, MeetingKind, RatingLevel

from meetings.domain import AttendanceLine, MeetingRecord

RESOLUTION_MAX = 20_000


class AttendanceIn(BaseModel):
    member_id: uuid.UUID
    status: AttendanceStatus
    spoke: bool = False
    absence_reason: str | None = Field(None, max_length=500)


class MeetingCreate(BaseModel):
    """A held meeting with the attendance of every member on the cell's roster that day."""

    id: uuid.UUID | None = Field(None, description="Client-chosen id: a retry with the same id and body returns the "
                                                   "stored meeting (200); a different body under it is refused (409)")
    organization_id: uuid.UUID
    held_on: date
    kind: MeetingKind = "regular"
    duration_minutes: int
    attendance: list[AttendanceIn]
    checklist: dict[str, bool] = Field(default_factory=dict, description="Rubric checklist keys, e.g. prep.notice_sent")
    resolution: str | None = Field(None, max_length=RESOLUTION_MAX, description="Resolution or conclusion text")


class ItemScoreOut(BaseModel):
    group: str
    item: str
    points: float
    max_points: float


class RatingOut(BaseModel):
    rubric_code: str
    rubric_version: int
    score: float
    level: RatingLevel
    present: int
    expected: int
    speakers: int
    revision: int
    rated_at: datetime
    breakdown: list[ItemScoreOut]


class MeetingOut(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    held_on: date
    kind: MeetingKind
    duration_minutes: int
    attendance: list[AttendanceIn]
    checklist: dict[str, bool]
    resolution: str | None = None
    status: str
    revision: int
    recorded_by: str
    recorded_at: datetime
    rating: RatingOut | None = Field(None, description="Null until the asynchronous rating is done")


class RosterMemberOut(BaseModel):
    member_id: uuid.UUID
    full_name: str
    status: str
    standing: str = Field("active", description="active, exempt, or away (temporary transfer) on the date")


class RosterOut(BaseModel):
    organization_id: uuid.UUID
    on: date
    members: list[RosterMemberOut]


class CellOut(BaseModel):
    id: uuid.UUID
    name: str
    kind: str


class RubricOut(BaseModel):
    code: str
    version: int
    scope_org_id: uuid.UUID | None
    effective_from: date
    effective_to: date | None
    definition: dict[str, Any]
    status: str = Field("in_force", description="in_force, or template (never rates; a committee adopts it as a version)")


def to_record(body: MeetingCreate) -> MeetingRecord:
    """The domain record a request describes."""
    return MeetingRecord(
        organization_id=body.organization_id, held_on=body.held_on, kind=body.kind,
        duration_minutes=body.duration_minutes, checklist=dict(body.checklist), resolution=body.resolution,
        attendance=tuple(AttendanceLine(a.member_id, a.status, a.spoke, a.absence_reason) for a in body.attendance))


# --- ratings: rubric versions, the rating history, the endorsement workflow, the annual rating


class RubricCreate(BaseModel):
    """A new version of a rubric code (the version number is assigned), in force over [effective_from, effective_to]."""

    code: str = Field(min_length=1, max_length=60)
    definition: dict[str, Any] = Field(description="{max, bands:[{level, min, max}], groups:[{key, max, items}]}")
    effective_from: date
    effective_to: date | None = None
    scope_org_id: uuid.UUID | None = Field(None, description="The organization whose subtree it rates; "
                                                             "null: province-wide (province users only)")


class RubricVersionOut(RubricOut):
    created_by: str | None = None


class RatingHistoryOut(BaseModel):
    revision: int
    meeting_revision: int
    cause: str
    rubric_code: str
    rubric_version: int
    score: float
    level: RatingLevel
    present: int
    expected: int
    speakers: int
    rated_at: datetime


class EndorsementOut(BaseModel):
    step: str
    rating_revision: int
    score: float
    level: RatingLevel
    by: str
    votes_for: int | None = None
    votes_against: int | None = None
    at: datetime


class RatingsOut(BaseModel):
    meeting_id: uuid.UUID
    history: list[RatingHistoryOut] = Field(description="Every (re-)rating, oldest first; the last is current")
    endorsements: list[EndorsementOut]


class ProposeIn(BaseModel):
    score: float | None = Field(None, description="The committee's proposed score (default: the computed one)")


class VoteIn(BaseModel):
    votes_for: int
    votes_against: int = 0


class AnnualMonthOut(BaseModel):
    month: int
    meeting_id: uuid.UUID | None
    level: RatingLevel | None
    score: float | None
    revision: int | None


class AnnualRatingOut(BaseModel):
    organization_id: uuid.UUID
    year: int
    level: RatingLevel
    months: list[AnnualMonthOut]
    counts: dict[str, int]
    months_without_meeting: int
    rules: dict[str, Any]
