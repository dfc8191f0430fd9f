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


class OrganizationRenamed(Event):
    """An organization took a new name from a date (its history keeps the old one)."""

    subject: ClassVar[str] = subjects.ORGANIZATION_RENAMED
    organization_id: uuid.UUID
    name: str
    effective_from: date


class OrganizationReclassified(Event):
    """An organization's kind, sector or cluster changed from a date."""

    subject: ClassVar[str] = subjects.ORGANIZATION_RECLASSIFIED
    organization_id: uuid.UUID
    kind: OrgKind
    sector: Sector
    cluster: str | None = None
    effective_from: date


class OrganizationMoved(Event):
    """An organization (with its whole subtree) was placed under another parent from a date.

    Figures for periods before ``effective_from`` keep rolling up along the old parent."""

    subject: ClassVar[str] = subjects.ORGANIZATION_MOVED
    organization_id: uuid.UUID
    parent_id: uuid.UUID
    effective_from: date


class OrganizationDissolved(Event):
    """An organization ceased from a date; ``merged_into_id`` when it was merged into another.

    Its members are moved by their own MemberTransferred events, published with this one."""

    subject: ClassVar[str] = subjects.ORGANIZATION_DISSOLVED
    organization_id: uuid.UUID
    merged_into_id: uuid.UUID | None = None
    effective_from: date


GradeLevel = Literal["excellent", "good", "completed", "not_completed"]  # QĐ 366 Art. 11, four levels


class OrganizationGraded(Event):
    """An organization's annual grade was decided by the competent committee."""

    subject: ClassVar[str] = subjects.ORGANIZATION_GRADED
    organization_id: uuid.UUID
    year: int
    score: float
    level: GradeLevel
    decided_on: date


MemberStatus = Literal["probationary", "official"]


class StatisticalProfile(BaseModel):
    """The member fields reports count by (domain.md §7). Never identity documents, addresses or phones."""

    model_config = ConfigDict(frozen=True)
    sex: Literal["male", "female"]
    date_of_birth: date
    ethnicity: str | None = None
    religion: str | None = None
    education_level: str | None = None  # general education, e.g. "12/12"
    professional_level: str | None = None
    political_theory_level: str | None = None  # "so_cap", "trung_cap", "cao_cap", "cu_nhan"
    party_age_start: date | None = None  # admission decision date; party age is computed from it, less gaps


class MemberRegistered(Event):
    """A member's record was created and placed in a cell, from a date."""

    subject: ClassVar[str] = subjects.MEMBER_REGISTERED
    schema_version: int = 2  # v2: profile
    member_id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    sex: Literal["male", "female"]
    date_of_birth: date
    status: MemberStatus
    profile: StatisticalProfile | None = None  # v2; absent in v1 messages
    effective_from: date


class MemberAdmitted(Event):
    """A person was admitted (or readmitted) to the Party as a probationary member of a cell."""

    subject: ClassVar[str] = subjects.MEMBER_ADMITTED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    profile: StatisticalProfile
    decision_date: date
    ceremony_date: date
    readmission: bool = False
    effective_from: date  # the ceremony date: probation runs 12 months from it


class MemberProfileChanged(Event):
    """A member's record changed in a field reports count by; carries the whole statistical profile."""

    subject: ClassVar[str] = subjects.MEMBER_PROFILE_CHANGED
    member_id: uuid.UUID
    full_name: str
    profile: StatisticalProfile
    effective_from: date


class MemberOfficialStatusGranted(Event):
    """A probationary member became official (as of the 12-month mark, even when decided later)."""

    subject: ClassVar[str] = subjects.MEMBER_MADE_OFFICIAL
    member_id: uuid.UUID
    organization_id: uuid.UUID
    decision_date: date
    effective_from: date


class MemberTransferred(Event):
    """An official transfer: to another organization in the province, or out of it (``to_organization_id`` None)."""

    subject: ClassVar[str] = subjects.MEMBER_TRANSFERRED
    member_id: uuid.UUID
    from_organization_id: uuid.UUID
    to_organization_id: uuid.UUID | None
    destination: str | None = None  # outside the province: where to
    letter_issued_on: date | None = None
    effective_from: date


class MemberTransferReceived(Event):
    """A member transferred in from outside the province joined a cell."""

    subject: ClassVar[str] = subjects.MEMBER_TRANSFER_RECEIVED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    full_name: str
    status: MemberStatus
    profile: StatisticalProfile
    origin: str
    effective_from: date


class MemberTemporarilyTransferred(Event):
    """A member went to a host cell for 3 months to under a year (2 years for study).

    The member stays on the home cell's roll; the host cell does not count them in its headcount."""

    subject: ClassVar[str] = subjects.MEMBER_TEMPORARILY_TRANSFERRED
    member_id: uuid.UUID
    home_organization_id: uuid.UUID
    host_organization_id: uuid.UUID | None  # None: a host outside the province
    effective_from: date
    until: date


class MemberTemporaryTransferEnded(Event):
    """A member came back from a temporary transfer."""

    subject: ClassVar[str] = subjects.MEMBER_TEMPORARY_TRANSFER_ENDED
    member_id: uuid.UUID
    home_organization_id: uuid.UUID
    effective_from: date


class MemberExempted(Event):
    """A member was exempted from work and meetings: outside attendance denominators from this date."""

    subject: ClassVar[str] = subjects.MEMBER_EXEMPTED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    reason: str | None = None
    effective_from: date


class MemberExemptionEnded(Event):
    """A member's exemption ended; they count in attendance again from this date."""

    subject: ClassVar[str] = subjects.MEMBER_EXEMPTION_ENDED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    effective_from: date


EndReason = Literal["removed", "expelled", "exited", "deceased", "probation_not_recognized"]


class MembershipEnded(Event):
    """A member's name left the rolls: removal (xóa tên), expulsion, voluntary exit, death, or probation not recognised."""

    subject: ClassVar[str] = subjects.MEMBERSHIP_ENDED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    reason: EndReason
    decision_date: date | None = None
    effective_from: date


class PartyCardIssued(Event):
    """A party card was issued to an official member (first card or a replacement)."""

    subject: ClassVar[str] = subjects.PARTY_CARD_ISSUED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    replacement: bool = False
    effective_from: date  # the issue date; the card number stays in members (confidential record)


class BadgeAwarded(Event):
    """A party-age badge (30 … 90 years) was awarded on an award date."""

    subject: ClassVar[str] = subjects.BADGE_AWARDED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    years: int
    effective_from: date


class MemberGraded(Event):
    """A member's annual grade (QĐ 366) was decided."""

    subject: ClassVar[str] = subjects.MEMBER_GRADED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    year: int
    score: float
    level: GradeLevel
    decided_on: date


class RemovalReviewRaised(Event):
    """A member reached a threshold that calls for the cell to consider removal (e.g. 3 unpaid fee months in a year)."""

    subject: ClassVar[str] = subjects.REMOVAL_REVIEW_RAISED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    cause: Literal["unpaid_fees"]
    year: int
    count: int
    raised_on: date


class FeeLine(BaseModel):
    model_config = ConfigDict(frozen=True)
    member_id: uuid.UUID
    due_vnd: int
    paid_vnd: int


class FeesRecorded(Event):
    """A cell's party-fee collection for one month: what each member owed and paid (VND)."""

    subject: ClassVar[str] = subjects.FEES_RECORDED
    organization_id: uuid.UUID
    month: date  # the first day of the month
    lines: tuple[FeeLine, ...]
    revision: int = 1  # a corrected collection sheet carries a higher revision; consumers keep the highest


AttendanceStatus = Literal["present", "absent_excused", "absent_unexcused", "exempt", "away"]  # away: on temporary transfer
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
    schema_version: int = 2  # v2: attendance status "away", upper_level_attended
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    held_on: date
    kind: MeetingKind
    duration_minutes: int
    attendance: tuple[Attendance, ...]
    checklist: dict[str, bool] = Field(default_factory=dict)
    upper_level_attended: bool = False
    revision: int = 1


RatingLevel = Literal["tot", "kha", "trung_binh", "kem"]


class MeetingRated(Event):
    """A meeting received its (re)computed rating under the rubric in force on its date."""

    subject: ClassVar[str] = subjects.MEETING_RATED
    schema_version: int = 2  # v2: upper_level_attended
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
    upper_level_attended: bool = False
    revision: int  # increases with every re-rating; consumers keep the highest


class MeetingScheduled(Event):
    """A meeting was scheduled (or rescheduled) and its members notified."""

    subject: ClassVar[str] = subjects.MEETING_SCHEDULED
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    starts_at: datetime
    place: str
    kind: MeetingKind
    agenda: tuple[str, ...] = ()


EndorsementStep = Literal["proposed", "voted", "confirmed"]


class MeetingRatingEndorsed(Event):
    """A step of the rating workflow: proposed by the cell committee, voted by members, confirmed from above."""

    subject: ClassVar[str] = subjects.MEETING_RATING_ENDORSED
    meeting_id: uuid.UUID
    organization_id: uuid.UUID
    step: EndorsementStep
    score: float
    level: RatingLevel
    by: str
    revision: int


ObligationKind = Literal["regular", "thematic", "committee"]


class MeetingObligationClosed(Event):
    """A period ended for one of a cell's required meetings: ``met`` False flags the cell as having missed it."""

    subject: ClassVar[str] = subjects.MEETING_OBLIGATION_CLOSED
    organization_id: uuid.UUID
    obligation: ObligationKind
    period_start: date
    period_end: date
    met: bool
    meeting_id: uuid.UUID | None = None


class AbsenceLimitReached(Event):
    """A member reached an absence limit in a year: 3 unexcused (a removal review for the cell) or >3 excused in a row."""

    subject: ClassVar[str] = subjects.ABSENCE_LIMIT_REACHED
    member_id: uuid.UUID
    organization_id: uuid.UUID
    rule: Literal["unexcused", "excused_consecutive"]
    year: int
    count: int
    meeting_id: uuid.UUID


class HrEmployeeChanged(Event):
    """Inbound from the provincial HR system (its documented schema, v1): an employee's job data changed.

    Members updates employment data and fees and raises a task for the cell; it never moves party membership."""

    subject: ClassVar[str] = subjects.HR_EMPLOYEE_CHANGED
    hr_employee_id: str
    cccd: str | None = None
    change: Literal["moved", "salary_changed", "retired", "deceased"]
    new_unit: str | None = None
    insured_salary_vnd: int | None = None
    pension_vnd: int | None = None
    effective_from: date


CATALOGUE: dict[str, type[Event]] = {
    cls.subject: cls
    for cls in (
        OrganizationCreated, OrganizationRenamed, OrganizationReclassified, OrganizationMoved, OrganizationDissolved,
        OrganizationGraded,
        MemberRegistered, MemberAdmitted, MemberProfileChanged, MemberOfficialStatusGranted, MemberTransferred,
        MemberTransferReceived, MemberTemporarilyTransferred, MemberTemporaryTransferEnded, MemberExempted,
        MemberExemptionEnded, MembershipEnded, PartyCardIssued, BadgeAwarded, MemberGraded, RemovalReviewRaised,
        FeesRecorded,
        MeetingScheduled, MeetingRecorded, MeetingRated, MeetingRatingEndorsed, MeetingObligationClosed,
        AbsenceLimitReached,
        HrEmployeeChanged,
    )
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
