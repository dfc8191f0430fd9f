"""Pure rules of the required meetings: periods, which cells an obligation binds, which meeting meets it.

The rules themselves are data (table ``obligation_rule``, seeded from migrations/data/obligation_rules_v1.json):
``{obligation, period: month|quarter, satisfied_by: [meeting kinds], applies_to: every_cell|cells_with_committee,
committee_min_official_members}``.
"""
from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import date, timedelta

PERIOD_MONTHS = {"month": 1, "quarter": 3}


@dataclass(frozen=True)
class Period:
    start: date
    end: date  # inclusive: the last day of the period


def period_containing(kind: str, day: date) -> Period:
    months = PERIOD_MONTHS[kind]
    first_month = (day.month - 1) // months * months + 1
    last_month = first_month + months - 1
    return Period(date(day.year, first_month, 1),
                  date(day.year, last_month, calendar.monthrange(day.year, last_month)[1]))


def closable_periods(kind: str, obliged_from: date, until: date, effective_to: date | None = None,
                     ceased_from: date | None = None) -> list[Period]:
    """Whole periods starting on or after ``obliged_from`` and ending on or before ``until`` (a cell created in
    the middle of a period owes nothing for it), and starting no later than the rule's ``effective_to``.
    A cell dissolved from ``ceased_from`` (no longer existing that day) owes only periods that end before it."""
    if ceased_from is not None:
        until = min(until, ceased_from - timedelta(days=1))
    first = period_containing(kind, obliged_from)
    if first.start < obliged_from:
        first = period_containing(kind, first.end + timedelta(days=1))
    periods, current = [], first
    while current.end <= until and (effective_to is None or current.start <= effective_to):
        periods.append(current)
        current = period_containing(kind, current.end + timedelta(days=1))
    return periods


def binds(definition: dict, committee_flag: bool | None, official_members: int) -> bool:
    """Whether the obligation applies to a cell: every cell, or cells with a committee (the flag set through the
    API wins; without it, the number of official members against the rule's threshold decides)."""
    if definition.get("applies_to", "every_cell") == "every_cell":
        return True
    if committee_flag is not None:
        return committee_flag
    return official_members >= definition["committee_min_official_members"]


def satisfied_by(definition: dict, kind: str) -> bool:
    return kind in definition["satisfied_by"]


def check_until(until: date, today: date) -> str | None:
    """A period can only be closed once it is over: ``until`` must be before today (local time)."""
    if until >= today:
        return "until"
    return None
