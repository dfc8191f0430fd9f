"""The event catalogue: every fact a service publishes, one frozen model each.

Events are past tense and carry ``schema_version``. Changing a model's JSON
schema without bumping its version fails tests/contract (snapshots under
tests/contract/snapshots). Consumers ignore fields they do not know, so adding
an optional field is a minor change; renaming or removing one needs a new
version (and, while old messages live in the stream, an upcaster).
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field

from shared import subjects


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Event(BaseModel):
    """Base of every event: identity, time, schema version."""

    model_config = ConfigDict(frozen=True, extra="ignore")
    subject: ClassVar[str]
    schema_version: int = 1
    event_id: uuid.UUID = Field(default_factory=uuid.uuid4)
    occurred_at: datetime = Field(default_factory=_now)
    actor: str | None = Field(None, description="Who caused it (username or system)")


OrgKind = Literal[
    "province",  # Đảng bộ tỉnh
    "committee",  # Đảng bộ trực thuộc tỉnh (cơ quan Đảng, UBND tỉnh, khối …)
    "grassroots_committee",  # Đảng bộ cơ sở
    "grassroots_cell",  # Chi bộ cơ sở
    "sub_committee",  # Đảng bộ bộ phận
    "subordinate_cell",  # Chi bộ trực thuộc
]
Sector = Literal[
    "administrative", "public_service", "state_enterprise", "non_state_enterprise",
    "school", "armed_forces", "rural_residential", "other",
]
CELL_KINDS: tuple[str, ...] = ("grassroots_cell", "subordinate_cell")


class OrganizationCreated(Event):
    """A party organization was created under a parent, from a date."""

    subject: ClassVar[str] = subjects.ORGANIZATION_CREATED
    organization_id: uuid.UUID
    parent_id: uuid.UUID | None
    name: str
    kind: OrgKind
    sector: Sector = "other"
    cluster: str | None = None
    effective_from: date


MemberStatus = Literal["probationary", "official"]


class MemberRegistered(Event):
    """A member's record was created and placed in a cell, from a date."""

    subject: ClassVar[str] = subjects.MEMBER_REGISTERED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    sex: Literal["male", "female"]
    date_of_birth: date
    status: MemberStatus
    effective_from: date


AttendanceStatus = Literal["present", "absent_excused", "absent_unexcused", "exempt"]
MeetingKind = Literal["regular", "thematic", "combined", "extraordinary", "model"]


class Attendance(BaseModel):
    model_config = ConfigDict(frozen=True)
    member_id: uuid.UUID
    status: AttendanceStatus
    spoke: bool = False
    absence_reason: str | None = None


class MeetingRecorded(Event):
    """A held meeting was recorded with its attendance; rating follows asynchronously."""

    subject: ClassVar[str] = subjects.MEETING_RECORDED
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    held_on: date
    kind: MeetingKind
    duration_minutes: int
    attendance: tuple[Attendance, ...]
    checklist: dict[str, bool] = Field(default_factory=dict)
    revision: int = 1


RatingLevel = Literal["tot", "kha", "trung_binh", "kem"]


class MeetingRated(Event):
    """A meeting received its (re)computed rating under the rubric in force on its date."""

    subject: ClassVar[str] = subjects.MEETING_RATED
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    held_on: date
    kind: MeetingKind
    rubric_code: str
    rubric_version: int
    score: float
    level: RatingLevel
    present: int
    expected: int  # attendance denominator: roster less exempt members
    speakers: int
    revision: int  # increases with every re-rating; consumers keep the highest


CATALOGUE: dict[str, type[Event]] = {
    cls.subject: cls for cls in (OrganizationCreated, MemberRegistered, MeetingRecorded, MeetingRated)
}


def decode(subject: str, data: bytes) -> Event:
    """Parse a message body into its event model; raises on unknown subject or bad payload."""
    try:
        model = CATALOGUE[subject]
    except KeyError:
        raise UnknownEventError(subject) from None
    return model.model_validate_json(data)


class UnknownEventError(ValueError):
    def __init__(self, subject: str) -> None:
        super().__init__(f"no event model for subject {subject!r}")
