"""Tables of the meetings service (its own registry: never the global SQLModel.metadata)."""
from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, Index, Text, UniqueConstraint
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.inbox import inbox_table
from shared.outbox import outbox_table


class Base(SQLModel, registry=registry()):
    pass


class Organization(Base, table=True):
    """Projection of members' organizations (only what meetings needs)."""

    __tablename__ = "organization"
    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    sector: str = Field(default="other", max_length=40)
    created_from: date


class OrganizationParent(Base, table=True):
    """Parent of an organization from ``valid_from`` on (the tree is effective-dated)."""

    __tablename__ = "organization_parent"
    organization_id: str = Field(primary_key=True, max_length=36)
    valid_from: date = Field(primary_key=True)
    parent_id: str | None = Field(default=None, max_length=36, index=True)


class OrganizationDissolution(Base, table=True):
    """An organization ceased from ``dissolved_from`` (OrganizationDissolved): it exists on [created_from,
    dissolved_from). Kept apart from ``organization`` so the event may arrive before the creation."""

    __tablename__ = "organization_dissolution"
    organization_id: str = Field(primary_key=True, max_length=36)
    dissolved_from: date
    merged_into_id: str | None = Field(default=None, max_length=36)
    source_event_id: str = Field(max_length=36)


class RosterEntry(Base, table=True):
    """A member belonging to a cell over [valid_from, valid_to)."""

    __tablename__ = "roster_entry"
    __table_args__ = (Index("ix_roster_entry_org_from", "organization_id", "valid_from"),)
    member_id: str = Field(primary_key=True, max_length=36)
    valid_from: date = Field(primary_key=True)
    organization_id: str = Field(max_length=36)
    full_name: str = Field(max_length=200)
    status: str = Field(max_length=20)
    valid_to: date | None = None
    source_event_id: str = Field(max_length=36)


class Meeting(Base, table=True):
    """A held meeting as recorded (``status`` and ``revision`` leave room for the minutes workflow)."""

    __tablename__ = "meeting"
    __table_args__ = (Index("ix_meeting_org_held", "organization_id", "held_on"),)
    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36)
    held_on: date
    kind: str = Field(max_length=20)
    duration_minutes: int
    checklist: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    resolution: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    details: dict[str, Any] | None = Field(default=None, sa_column=Column(JSON, nullable=True))  # HD 12 record, 0003
    status: str = Field(default="recorded", max_length=20)
    revision: int = 1
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime


class MeetingAttendance(Base, table=True):
    __tablename__ = "meeting_attendance"
    meeting_id: str = Field(primary_key=True, max_length=36, foreign_key="meeting.id")
    member_id: str = Field(primary_key=True, max_length=36)
    status: str = Field(max_length=20)
    spoke: bool = False
    absence_reason: str | None = Field(default=None, max_length=500)


class MeetingRating(Base, table=True):
    """The rating history: one row per (re-)rating; the highest ``revision`` is the current one.

    ``revision`` is the rating's own counter (it is MeetingRated.revision); ``meeting_revision`` is the
    meeting record it rated; ``cause``: recorded | amended | roster | rubric."""

    __tablename__ = "meeting_rating"
    __table_args__ = (Index("ix_meeting_rating_org_held", "organization_id", "held_on"),)
    meeting_id: str = Field(primary_key=True, max_length=36)
    revision: int = Field(primary_key=True)
    organization_id: str = Field(max_length=36, index=True)
    held_on: date
    rubric_code: str = Field(max_length=60)
    rubric_version: int
    score: float
    level: str = Field(max_length=20)
    present: int
    expected: int
    speakers: int
    breakdown: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    rated_at: datetime
    meeting_revision: int = 1
    kind: str = Field(default="regular", max_length=20)
    upper_level_attended: bool = False
    cause: str = Field(default="recorded", max_length=20)


class Rubric(Base, table=True):
    """A versioned rubric in force from ``effective_from`` to ``effective_to`` (inclusive) for a scope."""

    __tablename__ = "rubric"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_rubric_code_version"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60)
    version: int
    scope_org_id: str | None = Field(default=None, max_length=36)  # None: the whole province
    effective_from: date
    effective_to: date | None = None
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))
    status: str = Field(default="in_force", max_length=20)  # in_force | template (never picked to rate)
    created_by: str | None = Field(default=None, max_length=100)


class MemberStanding(Base, table=True):
    """A member exempt (miễn sinh hoạt) or away on a temporary transfer over [valid_from, valid_to)."""

    __tablename__ = "member_standing"
    member_id: str = Field(primary_key=True, max_length=36)
    kind: str = Field(primary_key=True, max_length=20)  # exempt | away
    valid_from: date = Field(primary_key=True)
    organization_id: str = Field(max_length=36)  # the home cell
    valid_to: date | None = None
    source_event_id: str = Field(max_length=36)


class RerateJob(Base, table=True):
    """Meetings to re-rate (a roster change or a new rubric version), worked through in chunks.

    ``cursor`` is the last (organization id) done; each chunk commits with its ratings and events."""

    __tablename__ = "rerate_job"
    __table_args__ = (Index("ix_rerate_job_pending", "done_at", "failed_at", "created_at"),)
    id: str = Field(primary_key=True, max_length=36)
    cause: str = Field(max_length=20)  # roster | rubric
    scope_org_id: str | None = Field(default=None, max_length=36)  # a subtree (None with no ids: everything)
    organization_ids: list[str] | None = Field(default=None, sa_column=Column(JSON, nullable=True))
    date_from: date
    date_to: date | None = None
    cursor: str = Field(default="", max_length=80)
    rerated: int = 0
    attempts: int = 0  # failed chunks in a row; at ratings.MAX_ATTEMPTS the job is set aside (failed_at)
    last_error: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    created_at: datetime
    done_at: datetime | None = None
    failed_at: datetime | None = None


class RatingEndorsement(Base, table=True):
    """A step of the rating workflow on one rating revision: proposed, voted, confirmed."""

    __tablename__ = "rating_endorsement"
    meeting_id: str = Field(primary_key=True, max_length=36)
    rating_revision: int = Field(primary_key=True)
    step: str = Field(primary_key=True, max_length=20)
    organization_id: str = Field(max_length=36)
    score: float
    level: str = Field(max_length=20)
    by: str = Field(max_length=100)
    votes_for: int | None = None
    votes_against: int | None = None
    at: datetime


class AbsenceAlert(Base, table=True):
    """AbsenceLimitReached raised once per member, year and rule."""

    __tablename__ = "absence_alert"
    member_id: str = Field(primary_key=True, max_length=36)
    year: int = Field(primary_key=True)
    rule: str = Field(primary_key=True, max_length=30)
    organization_id: str = Field(max_length=36)
    count: int
    meeting_id: str = Field(max_length=36)
    raised_at: datetime


class MeetingRule(Base, table=True):
    """Rules across meetings (absence limits, the annual rating) as versioned, scoped data."""

    __tablename__ = "meeting_rule"
    __table_args__ = (UniqueConstraint("code", "version", name="uq_meeting_rule_code_version"),)
    id: int | None = Field(default=None, primary_key=True)
    code: str = Field(max_length=60)
    version: int
    scope_org_id: str | None = Field(default=None, max_length=36)
    effective_from: date
    effective_to: date | None = None
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class ObligationRule(Base, table=True):
    """A required meeting as data (which kinds meet it, per which period, for which cells), effective-dated."""

    __tablename__ = "obligation_rule"
    id: int | None = Field(default=None, primary_key=True)
    obligation: str = Field(max_length=20)
    effective_from: date
    effective_to: date | None = None
    definition: dict[str, Any] = Field(sa_column=Column(JSON, nullable=False))


class CellCommitteeFlag(Base, table=True):
    """Whether a cell has a cell committee (chi ủy) from ``valid_from`` on, as set through the API."""

    __tablename__ = "cell_committee_flag"
    organization_id: str = Field(primary_key=True, max_length=36)
    valid_from: date = Field(primary_key=True)
    has_committee: bool
    set_by: str = Field(max_length=100)
    set_at: datetime


class CommitteeMeeting(Base, table=True):
    """A meeting of a cell's committee (chi ủy): it meets the monthly committee obligation."""

    __tablename__ = "committee_meeting"
    __table_args__ = (Index("ix_committee_meeting_org_held", "organization_id", "held_on"),)
    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36)
    held_on: date
    duration_minutes: int
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    recorded_by: str = Field(max_length=100)
    recorded_at: datetime


class ObligationClosure(Base, table=True):
    """One closed period of one obligation of one cell: the key makes the closure happen exactly once."""

    __tablename__ = "obligation_closure"
    organization_id: str = Field(primary_key=True, max_length=36)
    obligation: str = Field(primary_key=True, max_length=20)
    period_start: date = Field(primary_key=True)
    period_end: date
    met: bool
    meeting_id: str | None = Field(default=None, max_length=36)
    event_id: str = Field(max_length=36)
    closed_at: datetime


class MeetingSchedule(Base, table=True):
    """A scheduled meeting (MeetingScheduled); members are notified at least a day ahead (HD 42/2025)."""

    __tablename__ = "meeting_schedule"
    id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36, index=True)
    starts_at: datetime
    place: str = Field(max_length=300)
    kind: str = Field(max_length=20)
    agenda: list[str] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    materials: list[dict[str, Any]] = Field(default_factory=list, sa_column=Column(JSON, nullable=False))
    scheduled_by: str = Field(max_length=100)
    scheduled_at: datetime
    revision: int = Field(default=1, sa_column_kwargs={"server_default": "1"})  # + 1 per reschedule
    changed_by: str | None = Field(default=None, max_length=100)  # who last rescheduled or cancelled it
    changed_at: datetime | None = None
    cancelled_at: datetime | None = None
    cancel_reason: str | None = Field(default=None, sa_column=Column(Text, nullable=True))


class Notice(Base, table=True):
    """An in-app notice to a member (by member id) or to a user (a supervisor, by username)."""

    __tablename__ = "notice"
    id: str = Field(primary_key=True, max_length=36)
    member_id: str | None = Field(default=None, max_length=36, index=True)
    username: str | None = Field(default=None, max_length=100, index=True)
    schedule_id: str = Field(max_length=36)
    title: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    created_at: datetime
    read_at: datetime | None = None


class MemberAccount(Base, table=True):
    """Which member a user account is (member events carry no username): set by the cell's secretary or above."""

    __tablename__ = "member_account"
    username: str = Field(primary_key=True, max_length=100)
    member_id: str = Field(max_length=36)
    linked_by: str = Field(max_length=100)
    linked_at: datetime


class SupervisionAssignment(Base, table=True):
    """A committee assigns one of its members (a user) to attend a cell's meetings over [valid_from, valid_to]."""

    __tablename__ = "supervision_assignment"
    id: int | None = Field(default=None, primary_key=True)
    committee_id: str = Field(max_length=36)
    cell_id: str = Field(max_length=36, index=True)
    username: str = Field(max_length=100, index=True)
    full_name: str = Field(max_length=200)
    valid_from: date
    valid_to: date | None = None
    assigned_by: str = Field(max_length=100)
    assigned_at: datetime


class SupervisionVisit(Base, table=True):
    """An upper-level committee member's attendance at a meeting and their remarks."""

    __tablename__ = "supervision_visit"
    meeting_id: str = Field(primary_key=True, max_length=36)
    username: str = Field(primary_key=True, max_length=100)
    full_name: str = Field(max_length=200)
    attended: bool
    remarks: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    logged_by: str = Field(max_length=100)
    logged_at: datetime


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
