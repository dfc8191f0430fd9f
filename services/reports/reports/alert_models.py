"""Projection tables added by migration 0003_alerts: alert facts per member and cell, each member's name and
probation and the probation rules (data). The public holidays are one dataset for every service
(shared/data/public_holidays.json): 0004_shared_holidays dropped the table that held them here."""
from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field

from reports.models import Base


class MemberAlert(Base, table=True):
    """A removal review (members) or an absence limit (meetings) of a member in a cell and year, per reason;
    the highest count wins (then the latest event), so duplicates and any arrival order give one row."""

    __tablename__ = "member_alert"
    kind: str = Field(primary_key=True, max_length=20)  # removal_review | absence_limit
    member_id: str = Field(primary_key=True, max_length=36)
    org_id: str = Field(primary_key=True, max_length=36)
    year: int = Field(primary_key=True)
    reason: str = Field(primary_key=True, max_length=30)  # unpaid_fees | unexcused | excused_consecutive
    count: int
    raised_on: date = Field(index=True)
    meeting_id: str | None = Field(default=None, max_length=36)
    occurred_at: datetime
    # the cell and its ancestors on raised_on, comma-joined, and the last of them (0013_alert_at): what alert_at
    # holds for this alert, re-rolled when the tree moves or the org is learned late (alerts.roll_alerts)
    rolled_path: str = Field(default="", sa_column_kwargs={"server_default": ""})
    path_tail: str = Field(default="", max_length=36, sa_column_kwargs={"server_default": ""})


class AlertAt(Base, table=True):
    """A member_alert once per organization on its cell's path on ``raised_on`` (``org_id``: the cell or an
    ancestor; ``cell_id``: the alert's own org): a subtree's alerts of a range along the tree as it was are one
    indexed range (``org_id``, ``raised_on``), whatever the subtree's size (0013_alert_at)."""

    __tablename__ = "alert_at"
    kind: str = Field(primary_key=True, max_length=20)
    member_id: str = Field(primary_key=True, max_length=36)
    cell_id: str = Field(primary_key=True, max_length=36)
    year: int = Field(primary_key=True)
    reason: str = Field(primary_key=True, max_length=30)
    org_id: str = Field(primary_key=True, max_length=36)
    count: int
    raised_on: date


class MemberInfo(Base, table=True):
    """A member's name and latest probation, refolded from the member's stored roll events (order-independent)."""

    __tablename__ = "member_info"
    member_id: str = Field(primary_key=True, max_length=36)
    full_name: str | None = Field(default=None, max_length=200)
    probation_from: date | None = None  # the latest admission's ceremony date
    # the decision that closed it (made official, or membership ended; its decision date), 9999-12-31 while none
    # (an index finds the open ones: a few per cent of the members); None: no admission known
    probation_until: date | None = Field(default=None, index=True)
    # the last span's org, first day and end (member_facts.roll_place; migrations 0006, 0011): on any day from
    # roll_from until roll_until (None: open) the member is on that org's roll, from roll_until on on none, so the
    # overdue probations need no span read but for a day before roll_from; all None: never on a roll
    roll_org_id: str | None = Field(default=None, max_length=36)
    roll_from: date | None = None
    roll_until: date | None = None


class AlertRule(Base, table=True):
    """A number the alerts are computed with (data, effective-dated; seeded by 0003 from domain.md §3)."""

    __tablename__ = "alert_rule"
    code: str = Field(primary_key=True, max_length=40)  # probation_months | probation_decision_working_days
    valid_from: date = Field(primary_key=True)
    value: int
    label_vi: str = Field(max_length=200)
    label_en: str = Field(max_length=200)
    source: str = Field(max_length=200)
