"""Counters of migration 0004_counters, kept by the projection like period_stat (additive, rolled up the
tree as of each fact's date, re-rolled when the tree moves): the figures of a named period along the tree
as it was read one row set per org instead of the period's facts."""
from __future__ import annotations

from sqlalchemy import BigInteger, Column
from sqlmodel import Field

from reports.models import Base


class ObligationStat(Base, table=True):
    """Closed meeting obligations of an organization's subtree in one period (dated by period_end)."""

    __tablename__ = "obligation_stat"
    org_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(primary_key=True, max_length=7)
    obligation: str = Field(primary_key=True, max_length=20)  # regular | thematic | committee
    required: int = 0
    held: int = 0
    missed: int = 0


class ChangeStat(Base, table=True):
    """Lifecycle changes of an organization's subtree in one period, by the figures' key (report_members.
    CHANGE_KEYS: admitted, transferred_in, transferred_out, cards_issued, …), dated by happened_on."""

    __tablename__ = "change_stat"
    org_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(primary_key=True, max_length=7)
    kind: str = Field(primary_key=True, max_length=40)
    count: int = 0


class FeeStat(Base, table=True):
    """Fees due and paid in an organization's subtree in one period (migration 0007_fee_stat): the kept sheets'
    sums rolled along each sheet's path (a cell-month dated by the month's first day)."""

    __tablename__ = "fee_stat"
    org_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(primary_key=True, max_length=7)
    due_vnd: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))
    paid_vnd: int = Field(default=0, sa_column=Column(BigInteger, nullable=False))


class FeeUnpaid(Base, table=True):
    """How many unpaid lines (paid < due) of a member count under an organization in one period: a reference
    count, so that the distinct unpaid members of a subtree and period are ``count(*) where lines > 0``."""

    __tablename__ = "fee_unpaid"
    org_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(primary_key=True, max_length=7)
    member_id: str = Field(primary_key=True, max_length=36)
    lines: int = 0


class GradeStat(Base, table=True):
    """Annual grades in an organization's subtree (migration 0009_grade_stat): each kept grade (the latest
    decision) counted along its org's path on 31 December of the year."""

    __tablename__ = "grade_stat"
    org_id: str = Field(primary_key=True, max_length=36)
    year: int = Field(primary_key=True)
    subject_kind: str = Field(primary_key=True, max_length=12)  # member | organization
    level: str = Field(primary_key=True, max_length=20)
    count: int = 0
