"""Projection tables added by migration 0002: the member roll, lifecycle changes, meeting obligations,
fees, annual grades, organization attributes over time, statistical bands, and the generation pointer."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import BigInteger, Column, Text
from sqlmodel import Field

from reports.models import Base


class OrgAttr(Base, table=True):
    """An organization's name, kind or sector from ``valid_from`` on (Created, Renamed, Reclassified)."""

    __tablename__ = "org_attr"
    org_id: str = Field(primary_key=True, max_length=36)
    attr: str = Field(primary_key=True, max_length=10)  # name | kind | sector
    valid_from: date = Field(primary_key=True)
    value: str = Field(max_length=300)


class MemberEvent(Base, table=True):
    """The events that place a member on a roll (stored to refold the member's spans in any order)."""

    __tablename__ = "member_event"
    event_id: str = Field(primary_key=True, max_length=36)
    member_id: str = Field(max_length=36, index=True)
    subject: str = Field(max_length=100)
    payload: str = Field(sa_column=Column(Text, nullable=False))


class MemberSpan(Base, table=True):
    """A member on a cell's roll over [valid_from, valid_to) with the status and profile then."""

    __tablename__ = "member_span"
    member_id: str = Field(primary_key=True, max_length=36)
    valid_from: date = Field(primary_key=True)
    valid_to: date | None = Field(default=None, index=True)
    org_id: str = Field(max_length=36, index=True)
    status: str = Field(max_length=20)
    sex: str | None = Field(default=None, max_length=10)
    date_of_birth: date | None = None
    ethnicity: str | None = Field(default=None, max_length=60)
    religion: str | None = Field(default=None, max_length=60)
    education_level: str | None = Field(default=None, max_length=60)
    political_theory_level: str | None = Field(default=None, max_length=60)
    party_age_start: date | None = None


class MemberChange(Base, table=True):
    """One lifecycle change (admitted, made official, transferred, card issued, …) on a date, for a cell."""

    __tablename__ = "member_change"
    event_id: str = Field(primary_key=True, max_length=36)
    member_id: str = Field(max_length=36)
    kind: str = Field(max_length=40)
    org_id: str = Field(max_length=36)
    other_org_id: str | None = Field(default=None, max_length=36)  # transfers: the destination / host
    happened_on: date = Field(index=True)
    # migration 0004_counters: where change_stat counts it (as meeting_fact: org first, its ancestors as of
    # happened_on, as far as known), and for a transfer the destination's path too ('' otherwise)
    rolled_path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    path_tail: str = Field(default="", max_length=36, index=True)
    other_rolled_path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    other_path_tail: str = Field(default="", max_length=36, index=True)


class ObligationFact(Base, table=True):
    """A closed meeting obligation of a cell (MeetingObligationClosed; the latest closing wins)."""

    __tablename__ = "obligation_fact"
    org_id: str = Field(primary_key=True, max_length=36)
    obligation: str = Field(primary_key=True, max_length=20)  # regular | thematic | committee
    period_start: date = Field(primary_key=True)
    period_end: date = Field(index=True)
    met: bool
    occurred_at: datetime
    # migration 0004_counters: where obligation_stat counts it (the cell, its ancestors as of period_end)
    rolled_path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    path_tail: str = Field(default="", max_length=36, index=True)


class FeeSheet(Base, table=True):
    """The revision kept for one cell-month (FeesRecorded: the highest revision wins)."""

    __tablename__ = "fee_sheet"
    org_id: str = Field(primary_key=True, max_length=36)
    month: date = Field(primary_key=True)
    revision: int
    # migration 0007_fee_stat: the sheet's sums and where fee_stat / fee_unpaid count it (the cell, its
    # ancestors on the month's first day, as far as the tree is known)
    due_vnd: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    paid_vnd: int = Field(default=0, sa_column=Column(BigInteger, nullable=False, server_default="0"))
    rolled_path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    path_tail: str = Field(default="", max_length=36, index=True)


class FeeLine(Base, table=True):
    __tablename__ = "fee_line"
    org_id: str = Field(primary_key=True, max_length=36)
    month: date = Field(primary_key=True, index=True)
    member_id: str = Field(primary_key=True, max_length=36)
    due_vnd: int = Field(sa_column=Column(BigInteger, nullable=False))
    paid_vnd: int = Field(sa_column=Column(BigInteger, nullable=False))


class GradeFact(Base, table=True):
    """An annual grade of a member or an organization (the latest decision wins)."""

    __tablename__ = "grade_fact"
    subject_kind: str = Field(primary_key=True, max_length=12)  # member | organization
    subject_id: str = Field(primary_key=True, max_length=36)
    year: int = Field(primary_key=True)
    org_id: str = Field(max_length=36)  # the member's cell, or the organization itself
    level: str = Field(max_length=20)
    decided_on: date
    occurred_at: datetime
    # migration 0009_grade_stat: where grade_stat counts it (org_id, its ancestors on 31 December of the year,
    # as far as the tree is known)
    rolled_path: str = Field(default="", sa_column=Column(Text, nullable=False, server_default=""))
    path_tail: str = Field(default="", max_length=36, index=True)


class StatBand(Base, table=True):
    """Age and party-age bands (data, effective-dated): a band starts at ``min_years`` completed years."""

    __tablename__ = "stat_band"
    dimension: str = Field(primary_key=True, max_length=20)  # age | party_age
    valid_from: date = Field(primary_key=True)
    code: str = Field(primary_key=True, max_length=20)
    min_years: int
    label_vi: str = Field(max_length=100)
    label_en: str = Field(max_length=100)


class ProjectionGeneration(Base, table=True):
    """Which projection the service reads and writes: ``database_url`` None = this database (see rebuild.py)."""

    __tablename__ = "projection_generation"
    id: int = Field(default=1, primary_key=True)
    generation: int = 0
    database_url: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
