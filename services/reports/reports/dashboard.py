"""What the live dashboard shows besides the figures: the organizations the user may pick, the months of
the year (ratings and attendance per month), the cells to watch (no meeting in the month, or a rating that
fell from the month before) and the alerts: the figures' `alerts` section (removal reviews, absence limits,
overdue probations; see alerts.py), one set of key names for the API, the page and the exports."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports import alerts as alerts_rules, queries
from reports.exports import descendants
from reports.facts import LEVELS
from reports.models import OrgNode
from reports.periods import parse_period

PICKER_DEPTH, PICKER_LIMIT = 2, 300  # the picker lists the user's org and two levels under it
CELLS_LIMIT = 1000  # cells sent to the page for live updates; beyond that only the flagged ones
RANK = {"tot": 4, "kha": 3, "trung_binh": 2, "kem": 1}  # for "the rating fell": higher is better
ALERT_KEYS = alerts_rules.KEYS  # removal_reviews, absence_limits, overdue_probations
_NODE = OrgNode.__table__


def picker(session: Session, own_org: str) -> list[dict]:
    """The user's org and the orgs under it (two levels), indented, as picker options."""
    units = [(own_org, 0), *descendants(session, own_org, max_depth=PICKER_DEPTH)][:PICKER_LIMIT]
    names = queries.org_names(session, [u for u, _ in units])
    return [{"org_id": u, "name": names.get(u, u), "depth": depth} for u, depth in units]


def watch_month(period: str, today: date | None = None) -> str:
    """The month whose cells are watched: the period itself, or its last month that has begun."""
    period, today = parse_period(period), today or date.today()
    year = int(period[:4])
    if len(period) == 7 and period[5] != "Q":
        return period
    last = int(period[6]) * 3 if "Q" in period else 12
    first = last - 2 if "Q" in period else 1
    if year == today.year and first <= today.month <= last:
        last = today.month
    return f"{year}-{last:02d}"


def previous_month(month: str) -> str:
    year, number = int(month[:4]), int(month[5:])
    return f"{year - 1}-12" if number == 1 else f"{year}-{number - 1:02d}"


def month_series(session: Session, org_id: str, year: int) -> list[dict]:
    """The org's figures for each month of the year, January first."""
    months = [f"{year}-{m:02d}" for m in range(1, 13)]
    counts = queries.stats(session, [(org_id, m) for m in months])
    return [queries.shape(org_id, "", m, counts.get((org_id, m))) for m in months]


def cells(session: Session, org_id: str, month: str) -> list[dict]:
    """The cells under (or being) the org with their figures this month and the month before."""
    units = [(org_id, 0), *descendants(session, org_id)]
    kinds = _kinds(session, [u for u, _ in units])
    cell_ids = [u for u, _ in units if kinds.get(u, "").endswith("cell")]
    before = previous_month(month)
    names = queries.org_names(session, cell_ids)
    counts = queries.stats(session, [(c, p) for c in cell_ids for p in (month, before)])
    rows = [{"org_id": c, "org_name": names.get(c, c),
             "now": queries.shape(c, names.get(c, c), month, counts.get((c, month))),
             "before": queries.shape(c, names.get(c, c), before, counts.get((c, before)))} for c in cell_ids]
    for row in rows:
        row["flags"] = flags(row["now"], row["before"])
    flagged = [r for r in rows if r["flags"]]
    return sorted(rows if len(rows) <= CELLS_LIMIT else flagged, key=lambda r: r["org_name"])


def rank(figures: Mapping) -> float | None:
    """Mean rank of the rated meetings (Tốt 4 … Kém 1); None when none was rated."""
    levels = figures.get("levels", {})
    rated = sum(levels.get(level, 0) for level in LEVELS)
    return sum(RANK[level] * levels.get(level, 0) for level in LEVELS) / rated if rated else None


def flags(now: Mapping, before: Mapping) -> list[str]:
    out = []
    if not now.get("meetings_held"):
        out.append("missed")
    current, previous = rank(now), rank(before)
    if current is not None and previous is not None and current < previous:
        out.append("fell")
    return out


def alerts(figures: Mapping) -> dict | None:
    """The figures' alert lists (removal reviews, absence limits, overdue probations) and their ``totals`` (the
    lists may hold the first ones only); None without a section."""
    section = figures.get("alerts")
    if not isinstance(section, Mapping):
        return None
    lists = {key: section[key] for key in ALERT_KEYS if isinstance(section.get(key), list)}
    return {**lists, "totals": {key: section.get("totals", {}).get(key, len(items)) for key, items in lists.items()}} \
        if lists else None


def _kinds(session: Session, org_ids: list[str]) -> dict[str, str]:
    kinds: dict[str, str] = {}
    for start in range(0, len(org_ids), 500):
        chunk = org_ids[start:start + 500]
        kinds.update(session.execute(select(_NODE.c.id, _NODE.c.kind).where(_NODE.c.id.in_(chunk))).all())
    return kinds
