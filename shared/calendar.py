"""The one calendar every service counts its deadlines in: months, years and working days.

Pure functions, plus the public-holiday dataset (``shared/data/public_holidays.json``) read once on first use.
The members service's due lists and warnings and the reports service's overdue alerts call the same functions
on the same holidays, so a probation the members service calls due is the one the reports call overdue after
the same number of working days.

Months: a period counted in months ends on the corresponding day of its last month, and on that month's last
day when the month has no such day (Bộ luật Dân sự 2015, Art. 148(3)): 31 Jan + 1 month = 28 Feb, 29 Feb 2024
+ 12 months = 28 Feb 2025. Ages are not periods and are counted by ``age_on`` in the members service.

Working days: Monday to Friday, less the days off in the dataset (public holidays and the days given in lieu).
"""
from __future__ import annotations

import json
from bisect import bisect_left, bisect_right
from datetime import date, timedelta
from functools import lru_cache
from pathlib import Path

HOLIDAYS_FILE = Path(__file__).resolve().parent / "data" / "public_holidays.json"


def add_months(day: date, months: int) -> date:
    """``day`` plus whole months (negative: minus), clamped to the last day of a shorter month."""
    total = day.year * 12 + day.month - 1 + months
    year, month0 = divmod(total, 12)
    following = date(year + (month0 + 1) // 12, (month0 + 1) % 12 + 1, 1)
    return min(date(year, month0 + 1, 1) + timedelta(days=day.day - 1), following - timedelta(days=1))


def add_years(day: date, years: int) -> date:
    return add_months(day, 12 * years)


def months_between(start: date, end: date) -> int:
    """Whole months from ``start`` to ``end``: the largest n with add_months(start, n) <= end (negative when
    ``end`` is earlier)."""
    months = (end.year - start.year) * 12 + end.month - start.month
    if add_months(start, months) > end:
        months -= 1
    return months


def is_working_day(day: date, holidays: frozenset[date]) -> bool:
    return day.weekday() < 5 and day not in holidays


def add_working_days(start: date, days: int, holidays: frozenset[date]) -> date:
    """The ``days``-th working day after ``start`` (the last day of "within N working days")."""
    current, left = start, days
    while left > 0:
        current += timedelta(days=1)
        if is_working_day(current, holidays):
            left -= 1
    return current


def working_days_after(mark: date, until: date, holidays: frozenset[date]) -> int:
    """Working days in (mark, until]: so ``until`` is late for an N-working-day deadline when this exceeds N
    (the same count ``add_working_days`` steps through: add_working_days(mark, n) is the first day it is n)."""
    if until <= mark:
        return 0
    first = mark + timedelta(days=1)
    weeks, rest = divmod((until - first).days + 1, 7)
    count = weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)
    weekdays_off = _weekdays_off(holidays)
    return count - (bisect_right(weekdays_off, until) - bisect_left(weekdays_off, first))


@lru_cache(maxsize=8)
def _weekdays_off(holidays: frozenset[date]) -> tuple[date, ...]:
    """The days off that fall on a weekday, sorted (a frozenset keeps its hash: one lookup per call; a
    province's overdue-probation alert counts ~1,000 members' working days per request)."""
    return tuple(sorted(h for h in holidays if h.weekday() < 5))


@lru_cache(maxsize=1)
def public_holidays() -> frozenset[date]:
    """The days off in the dataset (read on first use, not at import)."""
    return frozenset(date.fromisoformat(d) for d in json.loads(HOLIDAYS_FILE.read_text(encoding="utf-8"))["days"])
