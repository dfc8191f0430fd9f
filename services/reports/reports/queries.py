"""Read side: figures for an organization and its direct children, lineages for
access checks, and the payloads pushed to live dashboards.

Every percentage the reports show (attendance rate, shares of levels, of speakers, of fees collected, of
grades …) comes from ``percent``: part / whole × 100 computed from counts at query time (never stored),
rounded half up to one decimal: 945/1185 → 79.7, 1/16 → 6.3; ``None`` when the whole is 0.
"""
from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import ROUND_HALF_UP, Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from reports import tree
from reports.facts import LEVELS
from reports.models import STAT_COLUMNS, OrgNode, OrgParent, PeriodStat

_NODE, _PARENT, _STAT = OrgNode.__table__, OrgParent.__table__, PeriodStat.__table__


def percent(part: int, whole: int) -> float | None:
    """THE rounding rule of the reports (see the module doc)."""
    if whole <= 0:
        return None
    return float((Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


attendance_rate = percent  # present / expected


def org_names(session: Session, org_ids: Iterable[str]) -> dict[str, str]:
    ids = list(set(org_ids))
    return dict(session.execute(select(_NODE.c.id, _NODE.c.name).where(_NODE.c.id.in_(ids))).all()) if ids else {}


def lineage(session: Session, org_id: str, on: date | None = None) -> tuple[str, ...] | None:
    """The org and its ancestors today; None when the reports do not know the org."""
    if not org_names(session, [org_id]):
        return None
    return tree.path_on(tree.load_ancestry(session, [org_id]), org_id, on or date.today())


def children(session: Session, org_id: str, on: date | None = None) -> list[str]:
    """Direct children today (their parent history's current entry is ``org_id``)."""
    candidates = session.execute(select(_PARENT.c.org_id).where(_PARENT.c.parent_id == org_id)).scalars().all()
    history = tree.load_parents(session, candidates)
    day = on or date.today()
    return [org for org in set(candidates) if tree.parent_on(history[org], day) == org_id]


def stats(session: Session, keys: Iterable[tuple[str, str]]) -> dict[tuple[str, str], dict[str, int]]:
    by_period: dict[str, list[str]] = {}
    for org, period in set(keys):
        by_period.setdefault(period, []).append(org)
    found: dict[tuple[str, str], dict[str, int]] = {}
    # One period and a list of orgs per statement: the primary key (org_id, period) serves it; a list of
    # (org, period) pairs is not served by an index on SQLite (a full scan of a national table: ~1 s).
    for period, orgs in by_period.items():
        for start in range(0, len(orgs), 500):
            rows = session.execute(select(_STAT).where(_STAT.c.period == period,
                                                       _STAT.c.org_id.in_(orgs[start:start + 500]))).mappings()
            found.update({(r["org_id"], r["period"]): {c: r[c] for c in STAT_COLUMNS} for r in rows})
    return found


def shape(org_id: str, name: str, period: str, counts: dict[str, int] | None) -> dict:
    """The JSON figures of one org in one period (zeros when nothing was counted)."""
    c = counts or dict.fromkeys(STAT_COLUMNS, 0)
    return {"org_id": org_id, "org_name": name, "period": period, "meetings_held": c["meetings_held"],
            "levels": {**{level: c[level] for level in LEVELS}, "unrated": c["unrated"]},
            "attendance": {"present": c["present"], "expected": c["expected"],
                           "rate": attendance_rate(c["present"], c["expected"])}}


def figures(session: Session, org_id: str, period: str) -> dict:
    """Figures of ``org_id`` and of each direct child, children sorted by name."""
    kids = children(session, org_id)
    names = org_names(session, [org_id, *kids])
    counts = stats(session, [(o, period) for o in [org_id, *kids]])
    rows = sorted((shape(k, names.get(k, k), period, counts.get((k, period))) for k in kids),
                  key=lambda r: r["org_name"])
    return {**shape(org_id, names[org_id], period, counts.get((org_id, period))), "children": rows}


def changed_figures(session: Session, changes: set[tuple[str, str]]) -> list[tuple[frozenset[str], dict]]:
    """For each changed (org, period): who may see it (the org's lineage) and its figures."""
    orgs = {org for org, _ in changes}
    parents, names, counts = tree.load_ancestry(session, orgs), org_names(session, orgs), stats(session, changes)
    today = date.today()
    return [(frozenset(tree.path_on(parents, org, today)), shape(org, names.get(org, org), period, counts.get((org, period))))
            for org, period in sorted(changes)]
