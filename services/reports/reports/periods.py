"""Reporting periods: a month ``2026-03``, a quarter ``2026-Q1`` or a year ``2026``."""
from __future__ import annotations

import re
from datetime import date, timedelta

_PERIOD = re.compile(r"^(\d{4})(?:-(0[1-9]|1[0-2])|-Q([1-4]))?$")


class PeriodError(ValueError):
    """Not a period string."""


def periods_of(day: date) -> tuple[str, str, str]:
    """The month, quarter and year a day is counted in."""
    return f"{day.year}-{day.month:02d}", f"{day.year}-Q{(day.month - 1) // 3 + 1}", str(day.year)


def parse_period(text: str) -> str:
    """Validate and normalise a period string; raises PeriodError."""
    text = (text or "").strip().upper()
    if not _PERIOD.match(text):
        raise PeriodError(text)
    return text


def current_periods(today: date | None = None) -> tuple[str, str, str]:
    return periods_of(today or date.today())


def period_label_vi(period: str) -> str:
    """Vietnamese label: Tháng 3/2026, Quý I/2026, Năm 2026."""
    match = _PERIOD.match(period)
    if not match:
        return period
    year, month, quarter = match.groups()
    if month:
        return f"Tháng {int(month)}/{year}"
    if quarter:
        return f"Quý {('I', 'II', 'III', 'IV')[int(quarter) - 1]}/{year}"
    return f"Năm {year}"


def period_range(period: str) -> tuple[date, date]:
    """First and last day of a normalised period."""
    year, month, quarter = _PERIOD.match(period).groups()
    first_month, months = (int(month), 1) if month else ((int(quarter) - 1) * 3 + 1, 3) if quarter else (1, 12)
    first = date(int(year), first_month, 1)
    after = date(int(year) + (first_month + months - 1) // 12, (first_month + months - 1) % 12 + 1, 1)
    return first, after - timedelta(days=1)
