"""HTTP request and response models of the meetings API."""
from __future__ import annotations

import uuid
from datetime import date, datetime, time
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from shared.events import AttendanceStatus, MeetingKind, RatingLevel

from meetings.domain import AttendanceLine, MeetingRecord

RESOLUTION_MAX = 20_000


class AttendanceIn(BaseModel):
    member_id: uuid.UUID
    status: AttendanceStatus
    spoke: bool = False
    absence_reason: str | None = Field(None, max_length=500)
    opinion: str | None = Field(None, max_length=2000, description="Short summary of what the member said")


class AgendaItemIn(BaseModel):
    title: str = Field(min_length=1, max_length=500)
    done: bool = True


class UpperLevelIn(BaseModel):
    username: str | None = Field(None, max_length=100, description="Their user account, when assigned to supervise")
    full_name: str = Field(min_length=1, max_length=200)
    position: str | None = Field(None, max_length=200, description="e.g. Ủy viên Ban Thường vụ Đảng ủy")
    remarks: str | None = Field(None, max_length=5000)


class VoteIn(BaseModel):
    model_config = ConfigDict(populate_by_name=True)
    in_favour: int = Field(0, ge=0, alias="for")
    against: int = Field(0, ge=0)
    abstain: int = Field(0, ge=0)


class WarningOut(BaseModel):
    field: str
    msg_vi: str
    msg_en: str


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
    # The rest of the HD 12 / HD 42 record (all optional: the secretary's form sends none of them)
    place: str | None = Field(None, max_length=300)
    started_at: time | None = Field(None, description="Local time the meeting opened")
    chair_id: uuid.UUID | None = Field(None, description="Member who chaired (present)")
    minute_taker_id: uuid.UUID | None = Field(None, description="Member who took the minutes (present)")
    agenda: list[AgendaItemIn] = Field(default_factory=list, max_length=50)
    upper_level: UpperLevelIn | None = Field(None, description="The upper-level committee member who attended")
    vote: VoteIn | None = Field(None, description="The vote on the resolution or conclusion")
    proposed_score: float | None = Field(None, ge=0, description="Score proposed by the cell committee")
    schedule_id: uuid.UUID | None = Field(None, description="The schedule this meeting carried out")


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
    place: str | None = None
    started_at: time | None = None
    chair_id: uuid.UUID | None = None
    minute_taker_id: uuid.UUID | None = None
    agenda: list[AgendaItemIn] = Field(default_factory=list)
    upper_level: UpperLevelIn | None = None
    vote: VoteIn | None = None
    proposed_score: float | None = None
    schedule_id: uuid.UUID | None = None
    warnings: list[WarningOut] = Field(default_factory=list, description="Stored but flagged, e.g. a short meeting")


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
        attendance=tuple(AttendanceLine(a.member_id, a.status, a.spoke, a.absence_reason) for a in body.attendance),
        details=record_details(body))


def record_details(body: MeetingCreate) -> dict[str, Any]:
    """The HD 12 fields beyond the original record, as stored JSON (absent fields left out)."""
    details = body.model_dump(mode="json", exclude_none=True, by_alias=True, include={
        "place", "started_at", "chair_id", "minute_taker_id", "agenda", "upper_level", "vote", "proposed_score",
        "schedule_id"})
    if not details.get("agenda"):
        details.pop("agenda", None)
    opinions = {str(a.member_id): a.opinion.strip() for a in body.attendance if a.opinion and a.opinion.strip()}
    if opinions:
        details["opinions"] = opinions
    return details


def details_out(details: dict[str, Any] | None, attendance: list[AttendanceIn]) -> dict[str, Any]:
    """MeetingOut fields from stored details; opinions go back onto the attendance lines."""
    details = dict(details or {})
    opinions = details.pop("opinions", {})
    for line in attendance:
        line.opinion = opinions.get(str(line.member_id))
    return details


# --- Obligations, schedules and notices, supervision (issue 4 items 1, 2, 6) ---

class CloseIn(BaseModel):
    until: date = Field(description="Close every period ending on or before this day (it must be before today)")


class ClosureOut(BaseModel):
    organization_id: uuid.UUID
    obligation: str
    period_start: date
    period_end: date
    met: bool
    meeting_id: uuid.UUID | None = None


class CloseOut(BaseModel):
    until: date
    closed: int
    missed: int


class CommitteeFlagIn(BaseModel):
    has_committee: bool
    valid_from: date = Field(description="From this day on (effective-dated)")


class CommitteeFlagOut(BaseModel):
    organization_id: uuid.UUID
    on: date
    has_committee: bool
    source: str = Field(description="set (through the API) or default (from the number of official members)")
    official_members: int


class CommitteeMeetingIn(BaseModel):
    held_on: date
    duration_minutes: int
    note: str | None = Field(None, max_length=5000)


class CreatedOut(BaseModel):
    id: uuid.UUID


class MaterialIn(BaseModel):
    name: str = Field(min_length=1, max_length=300, description="File name or title")
    url: str | None = Field(None, max_length=2000, description="Link, e.g. on the Sổ tay đảng viên app")


class ScheduleIn(BaseModel):
    organization_id: uuid.UUID
    starts_at: datetime = Field(description="Date and time; without an offset it is Asia/Ho_Chi_Minh local time")
    place: str = Field(min_length=1, max_length=300)
    kind: MeetingKind = "regular"
    agenda: list[str] = Field(default_factory=list, max_length=50)
    materials: list[MaterialIn] = Field(default_factory=list, max_length=50)


class ScheduleOut(BaseModel):
    id: uuid.UUID
    organization_id: uuid.UUID
    starts_at: datetime
    place: str
    kind: MeetingKind
    agenda: list[str]
    materials: list[MaterialIn]
    scheduled_by: str
    revision: int = Field(1, description="1, then + 1 per reschedule")
    cancelled_at: datetime | None = None
    cancel_reason: str | None = None
    notified: int | None = Field(None, description="Notices written (on creation, reschedule or cancellation)")


class ScheduleChangeIn(BaseModel):
    starts_at: datetime | None = Field(None, description="New date and time (no offset = Asia/Ho_Chi_Minh local)")
    place: str | None = Field(None, min_length=1, max_length=300)


class CancelIn(BaseModel):
    reason: str = Field(min_length=1, max_length=1000, description="Why the meeting is cancelled (sent to members)")


class NoticeOut(BaseModel):
    id: uuid.UUID
    schedule_id: uuid.UUID
    title: str
    body: str
    created_at: datetime
    read_at: datetime | None


class AccountLinkIn(BaseModel):
    member_id: uuid.UUID


class AssignmentIn(BaseModel):
    username: str = Field(min_length=1, max_length=100, description="The supervisor's user account")
    full_name: str = Field(min_length=1, max_length=200)
    cell_ids: list[uuid.UUID] = Field(min_length=1, max_length=200)
    valid_from: date
    valid_to: date | None = Field(None, description="Last day (inclusive); open-ended when absent")


class AssignmentOut(BaseModel):
    committee_id: uuid.UUID
    cell_id: uuid.UUID
    username: str
    full_name: str
    valid_from: date
    valid_to: date | None


class VisitIn(BaseModel):
    attended: bool = True
    remarks: str | None = Field(None, max_length=5000)


class VisitOut(BaseModel):
    meeting_id: uuid.UUID
    username: str
    full_name: str
    attended: bool
    remarks: str | None


class RemarkOut(BaseModel):
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    held_on: date
    remarks: str


class SupervisorMonthOut(BaseModel):
    username: str
    full_name: str
    cells: list[uuid.UUID]
    meetings_assigned: int = Field(description="Meetings held in the assigned cells that month, while assigned")
    meetings_attended: int
    not_attended: list[uuid.UUID]
    remarks: list[RemarkOut]



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
