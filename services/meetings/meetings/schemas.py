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


def to_record(body: MeetingCreate) -> MeetingRecord:
    """The domain record a request describes."""
    return MeetingRecord(
        organization_id=body.organization_id, held_on=body.held_on, kind=body.kind,
        duration_minutes=body.duration_minutes, checklist=dict(body.checklist), resolution=body.resolution,
        attendance=tuple(AttendanceLine(a.member_id, a.status, a.spoke, a.absence_reason) for a in body.attendance))
