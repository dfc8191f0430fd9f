"""Projection tables: the organization tree as the reports see it, one fact per
meeting, and additive counters per organization and period."""
from __future__ import annotations

from datetime import date

from sqlalchemy import Column, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.inbox import inbox_table


class Base(SQLModel, registry=registry()):
    pass


class OrgNode(Base, table=True):
    """An organization, from OrganizationCreated."""

    __tablename__ = "org_node"
    id: str = Field(primary_key=True, max_length=36)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    sector: str = Field(max_length=40)
    cluster: str | None = Field(default=None, max_length=200)
    effective_from: date
    dissolved_on: date | None = None  # OrganizationDissolved (0002)


class OrgParent(Base, table=True):
    """Parent history: from ``valid_from`` on, ``org_id`` sits under ``parent_id``."""

    __tablename__ = "org_parent"
    org_id: str = Field(primary_key=True, max_length=36)
    valid_from: date = Field(primary_key=True)
    parent_id: str | None = Field(default=None, max_length=36, index=True)


class MeetingFact(Base, table=True):
    """What the reports count for one meeting, and where it is currently counted."""

    __tablename__ = "meeting_fact"
    meeting_id: str = Field(primary_key=True, max_length=36)
    organization_id: str = Field(max_length=36)
    held_on: date = Field(index=True)
    kind: str = Field(max_length=40)
    recorded_revision: int = 0  # highest MeetingRecorded revision seen (0: none yet)
    rated_revision: int = 0  # highest MeetingRated revision seen (0: unrated)
    level: str | None = Field(default=None, max_length=20)
    present: int = 0
    expected: int = 0
    speakers: int = 0
    upper_level_attended: bool = False  # MeetingRated/MeetingRecorded v2; v1 messages: False
    # Comma-separated org ids (the cell first, then its ancestors as of held_on, as far as known).
    rolled_path: str = Field(sa_column=Column(Text, nullable=False))
    path_tail: str = Field(max_length=36, index=True)  # last id of rolled_path: where the known tree ends


class PeriodStat(Base, table=True):
    """Counters for one organization (its whole subtree) in one period: 2026-03, 2026-Q1 or 2026."""

    __tablename__ = "period_stat"
    org_id: str = Field(primary_key=True, max_length=36)
    period: str = Field(primary_key=True, max_length=7)
    meetings_held: int = 0
    tot: int = 0
    kha: int = 0
    trung_binh: int = 0
    kem: int = 0
    unrated: int = 0
    present: int = 0
    expected: int = 0
    speakers: int = 0
    # migration 0004_counters: held per kind (facts.MEETING_KINDS) and with upper-level attendance
    held_regular: int = 0
    held_thematic: int = 0
    held_combined: int = 0
    held_extraordinary: int = 0
    held_model: int = 0
    upper_level: int = 0


class ProjectionLock(Base, table=True):
    """One row every batch updates first: batches (both consumers, every replica) apply one at a time,
    so a fact and the tree change that re-rolls it can never be written by two blind transactions."""

    __tablename__ = "projection_lock"
    id: int = Field(default=1, primary_key=True)
    batches: int = 0
    # a random token every batch that changes a parent link writes ('' before): the figures' tree cache holds while
    # it is the same (tree.pieces; migration 0005)
    tree_version: str = Field(default="", max_length=32, sa_column_kwargs={"server_default": ""})


STAT_COLUMNS = ("meetings_held", "tot", "kha", "trung_binh", "kem", "unrated", "present", "expected", "speakers",
                "held_regular", "held_thematic", "held_combined", "held_extraordinary", "held_model", "upper_level")
inbox = inbox_table(Base.metadata)


# Tables of migration 0002 (members, obligations, fees, grades, bands, generations): same metadata.
from reports.ledger_models import (  # noqa: E402,F401
    FeeLine, FeeSheet, GradeFact, MemberChange, MemberEvent, MemberSpan, ObligationFact, OrgAttr,
    ProjectionGeneration, StatBand)
# Tables of migrations 0004_counters, 0007_fee_stat, 0009_grade_stat.
from reports.counter_models import ChangeStat, FeeStat, FeeUnpaid, GradeStat, ObligationStat  # noqa: E402,F401
# Tables of migration 0003_alerts.
from reports.alert_models import AlertAt, AlertRule, MemberAlert, MemberInfo  # noqa: E402,F401
# Tables of migration 0004_roll.
from reports.roll_models import RollBase, RollBasis, RollMonth  # noqa: E402,F401
