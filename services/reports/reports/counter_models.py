"""Counters of migration 0004_counters, kept by the projection like period_stat (additive, rolled up the
tree as of each fact's date, re-rolled when the tree moves): the figures of a named period along the tree
as it was read one row set per org instead of the period's facts."""
from __future__ import annotations

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
