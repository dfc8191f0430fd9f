"""Alerts, projected: removal reviews (members: ``RemovalReviewRaised``) and absence limits (meetings:
``AbsenceLimitReached``); and the calendar rules of the overdue probations derived in ``report_alerts``.

Projection: one ``member_alert`` row per (kind, member, cell, year, reason); the highest count wins, then the
latest event, so duplicates and any arrival order give the same row. Probations come from ``member_info``,
refolded with the member's roll (``member_facts.info``).

Probations: *due* from the 12-month mark (``probation_months`` after the ceremony), *overdue* once more than
``probation_decision_working_days`` working days have passed after the mark (counted by ``shared.calendar``:
weekends and the days off in shared/data/public_holidays.json skipped, months by the Civil Code, as the members
service counts its due list) — 30 working days: not yet, 31: overdue. Both numbers are data (``alert_rule``, seeded by 0003_alerts
from domain.md §3), the one in force on the admission day for the months and on the mark for the working days.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import delete, select, tuple_, update
from sqlalchemy.orm import Session

from shared import clock
from shared.events import AbsenceLimitReached, Event, RemovalReviewRaised
from reports import tree
from reports.counters import load_rolled
from reports.lifecycle import _keep_newest
from reports.models import AlertAt, AlertRule, MemberAlert
from reports.upsert import upsert

ALERT_EVENTS = (RemovalReviewRaised, AbsenceLimitReached)
KEYS = ("removal_reviews", "absence_limits", "overdue_probations")  # the figures' `alerts` lists
OPEN = date.max  # member_info.probation_until of a probation no decision has closed (member_facts.info)
_ALERT, _RULE, _AT = MemberAlert.__table__, AlertRule.__table__, AlertAt.__table__


def raised_on(event: RemovalReviewRaised | AbsenceLimitReached) -> date:
    if isinstance(event, RemovalReviewRaised):
        return event.raised_on
    return event.occurred_at.astimezone(clock.TIMEZONE).date()  # the event carries no date of its own


def touched(events: Sequence[Event]) -> set[tuple[str, date]]:
    """(cell, day) of each alert event: the live dashboards of the cell's lineage read their figures again."""
    return {(str(e.organization_id), raised_on(e)) for e in events if isinstance(e, ALERT_EVENTS)}


def apply(session: Session, events: Sequence[Event], new_orgs: set[str] = frozenset(),
          moved_orgs: set[str] = frozenset()) -> None:
    """Store the alert events (the inbox already dropped redelivered ones), then roll the stored alerts they
    touched, and those a tree batch moved (``new_orgs``, ``moved_orgs``: tree.record_tree), along the tree."""
    rows = [_row(e) for e in events if isinstance(e, ALERT_EVENTS)]
    _keep_newest(session, _ALERT, _KEY, lambda r: (r["count"], r["occurred_at"], r["raised_on"]), rows)
    roll_alerts(session, {tuple(r[k] for k in _KEY) for r in rows}, new_orgs, moved_orgs)


_KEY = ("kind", "member_id", "org_id", "year", "reason")
_AT_KEY = (_AT.c.kind, _AT.c.member_id, _AT.c.cell_id, _AT.c.year, _AT.c.reason)


def roll_alerts(session: Session, keys: set[tuple], new_orgs: set[str], moved_orgs: set[str]) -> None:
    """``alert_at`` holds each kept alert once per org on its cell's path on ``raised_on``: the alerts of
    ``keys`` (just kept: a higher count may have brought another day), of a path ending at an org new to the
    tree, or through a moved org are placed again when their path or row changed."""
    by_key = [tuple_(*(_ALERT.c[k] for k in _KEY)).in_(list(keys))] if keys else None
    stored = {tuple(r[k] for k in _KEY): dict(r) for r in load_rolled(session, _ALERT, by_key, new_orgs, moved_orgs, ("",))}
    if not stored:
        return
    parents = tree.load_ancestry(session, {row["org_id"] for row in stored.values()})
    placed, paths = [], {}
    for key, row in stored.items():
        path = tree.path_on(parents, row["org_id"], row["raised_on"])
        if key in keys or ",".join(path) != row["rolled_path"]:
            paths[key] = path
            placed += [{"kind": row["kind"], "member_id": row["member_id"], "cell_id": row["org_id"],
                        "year": row["year"], "reason": row["reason"], "org_id": org, "count": row["count"],
                        "raised_on": row["raised_on"]} for org in path]
    changed = list(paths)
    for start in range(0, len(changed), 500):
        session.execute(delete(_AT).where(tuple_(*_AT_KEY).in_(changed[start:start + 500])))
    upsert(session, _AT, placed, [c.name for c in _AT_KEY] + ["org_id"])
    for key, path in paths.items():
        session.execute(update(_ALERT).where(*(_ALERT.c[k] == v for k, v in zip(_KEY, key)))
                        .values(rolled_path=",".join(path), path_tail=path[-1]))


def _row(e: RemovalReviewRaised | AbsenceLimitReached) -> dict:
    review = isinstance(e, RemovalReviewRaised)
    return {"kind": "removal_review" if review else "absence_limit", "member_id": str(e.member_id),
            "org_id": str(e.organization_id), "year": e.year, "reason": e.cause if review else e.rule,
            "count": e.count, "raised_on": raised_on(e), "meeting_id": None if review else str(e.meeting_id),
            "occurred_at": e.occurred_at}


def rules(session: Session, code: str) -> list[tuple[date, int]]:
    return sorted(session.execute(select(_RULE.c.valid_from, _RULE.c.value).where(_RULE.c.code == code)).all())


def in_force(versions: list[tuple[date, int]], day: date) -> int:
    """The value in force on ``day`` (the first one before any was in force)."""
    if not versions:
        raise LookupError("alert_rule has no row for a probation rule: the 0003_alerts migration seeds them")
    value = versions[0][1]
    for valid_from, v in versions:
        if valid_from <= day:
            value = v
    return value
