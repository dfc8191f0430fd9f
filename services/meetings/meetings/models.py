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
    """One rating per meeting revision; the highest revision is the current one."""

    __tablename__ = "meeting_rating"
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


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
