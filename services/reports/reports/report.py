"""Figures of any organization's subtree over any date range, computed at query time from the facts.

The range is cut where the tree changed (``subtrees.segments``); each piece counts the facts dated in it
whose organization was under the root then (or along today's tree with ``tree=today``). Dating: a meeting
by ``held_on``, an obligation by its ``period_end``, a change by its effective date, a fee month by its first
day, a grade by its year (along the tree on 31 December, clamped into the range); members are counted on the
range's last day. Percentages come from ``queries.percent`` only.

A named period read along the tree as it was (``period``) takes its meetings, obligations, changes and fees
from the counters the projection keeps (report_counters.py: the same counts, kept as the facts arrive), and
its grades too when the subtree on the period's last day is the one on 31 December (``_counted_grades``).
"""
from __future__ import annotations

from collections import Counter
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from datetime import date
from typing import TypeVar

from sqlalchemy import func, select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from reports import report_alerts, report_counters, report_members, subtrees, tree
from reports.facts import LEVELS, MEETING_KINDS
from reports.models import MeetingFact, ObligationFact
from reports.queries import percent

OBLIGATIONS = ("regular", "thematic", "committee")
_FACT, _OBL = MeetingFact.__table__, ObligationFact.__table__


def report(session: Session, root: str, start: date, end: date, *, today_tree: bool = False,
           children: list[str] = (), period: str | None = None, alerts_shown: int | None = None) -> dict:
    """The root's full figures and each child's meeting figures over [start, end]; ``period``: [start, end]
    is that named period, read along the tree as it was, so the counters serve meetings, obligations, changes, fees
    and grades."""
    if period is not None and today_tree:
        raise ValueError("the counters roll up along the tree as it was, not today's")
    roots = [root, *children]
    pieces = tree.pieces(session, roots, start, end, date.today() if today_tree else None)
    large = len(subtrees.piece_of(pieces, end)[2][root]) >= ALONGSIDE_FROM
    alerts = _alongside(session, large, lambda s: report_alerts.figures(s, pieces, root, start, end, shown=alerts_shown,
                                                                        as_was=not today_tree))
    if period is None:
        meetings = {org: _meeting_shape(c) for org, c in _meetings(session, pieces, roots).items()}
        meetings[root]["obligations"] = _obligation_shape(_obligations(session, pieces, root))
        changes = fees = grades = None
    else:
        meetings = {org: _meeting_shape(c) for org, c in report_counters.meetings(session, roots, period).items()}
        meetings[root]["obligations"] = _obligation_shape(report_counters.obligations(session, root, period))
        changes = report_members.change_shape(report_counters.changes(session, root, period))
        fees = report_counters.fees(session, root, period)
        grades = _counted_grades(session, root, start, end)
    return {"range": {"from": start, "to": end}, "tree": "today" if today_tree else "as_was",
            "meetings": meetings[root], "children_meetings": {c: meetings[c] for c in children},
            **report_members.figures(session, pieces, root, start, end, changes, fees=fees, grades=grades,
                                     roll=report_members.roll_of(session, pieces, root, end, as_was=not today_tree)),
            "alerts": alerts()}


ALONGSIDE_FROM = 1000  # orgs in the subtree (a province at national scale: ~4,700) from which the alerts are read
# in another thread, on another connection, while this one reads the rest: most of both is SQLite's or
# PostgreSQL's work, outside the GIL. A province at national scale 0.5, in-process, interleaved runs: 39 ms in
# line, 29 ms with the alerts alongside, 34 ms with the roll in a third thread too (two cores, one GIL: not done)
_ALONGSIDE = ThreadPoolExecutor(max_workers=8, thread_name_prefix="reports-alongside")
T = TypeVar("T")


def _alongside(session: Session, large: bool, read: Callable[[Session], T]) -> Callable[[], T]:
    """``read`` as a call that returns its result: for a large subtree read through an engine, already under
    way in another thread on its own session (the same projection, read a moment apart), else run on the
    caller's session when called."""
    bind = session.get_bind()
    if large and isinstance(bind, Engine):
        def apart() -> T:
            with Session(bind) as own:
                return read(own)
        return _ALONGSIDE.submit(apart).result
    return lambda: read(session)


def _counted_grades(session: Session, root: str, start: date, end: date) -> dict[str, Counter] | None:
    """The year's grades from grade_stat (counted along the tree on 31 December) when the live count would
    place them in the same subtree: the range lies in one year and the root's subtree on its last day (where a
    range ending before 31 December places the year) is the one on 31 December. None: count them live."""
    year_end = date(end.year, 12, 31)
    if start.year != end.year:
        return None
    if end != year_end:
        later = tree.pieces(session, [root], end, year_end)
        if any(under[root] != later[0][2][root] for _, _, under in later):
            return None
    return report_counters.grades(session, root, end.year)


def _meetings(session: Session, pieces, roots: list[str]) -> dict[str, Counter]:
    counts = {root: Counter() for root in roots}
    for first, last, under in pieces:
        if len(roots) == 1 and len(under[roots[0]]) <= tree.MAX_LISTED:  # the IN list is exactly the subtree
            _count_meetings(counts[roots[0]], session.execute(
                select(_FACT.c.kind, _FACT.c.level, _FACT.c.upper_level_attended, func.count(),
                       func.sum(_FACT.c.present), func.sum(_FACT.c.expected), func.sum(_FACT.c.speakers))
                .where(_FACT.c.held_on.between(first, last), tree.among(_FACT.c.organization_id, under[roots[0]]))
                .group_by(_FACT.c.kind, _FACT.c.level, _FACT.c.upper_level_attended)))
            continue
        rows = session.execute(
            select(_FACT.c.organization_id, _FACT.c.kind, _FACT.c.level, _FACT.c.upper_level_attended,
                   func.count(), func.sum(_FACT.c.present), func.sum(_FACT.c.expected), func.sum(_FACT.c.speakers))
            .where(_FACT.c.held_on.between(first, last),
                   tree.among(_FACT.c.organization_id, frozenset().union(*under.values())))
            .group_by(_FACT.c.organization_id, _FACT.c.kind, _FACT.c.level, _FACT.c.upper_level_attended)).all()
        for org, *row in rows:
            for root in roots:
                if org in under[root]:
                    _count_meetings(counts[root], [row])
    return counts


def _count_meetings(c: Counter, rows) -> None:
    for kind, level, upper, n, present, expected, speakers in rows:
        c["held"] += n
        c[f"kind:{kind}"] += n
        c[f"level:{level or 'unrated'}"] += n
        c["upper"] += n if upper else 0
        c["present"] += present
        c["expected"] += expected
        c["speakers"] += speakers


def _meeting_shape(c: Counter) -> dict:
    held = c["held"]
    return {
        "held": held, "held_by_kind": {k: c[f"kind:{k}"] for k in MEETING_KINDS},
        "levels": {lv: {"count": c[f"level:{lv}"], "share": percent(c[f"level:{lv}"], held)}
                   for lv in (*LEVELS, "unrated")},
        "attendance": {"present": c["present"], "expected": c["expected"], "rate": percent(c["present"], c["expected"])},
        "speakers": {"count": c["speakers"], "present": c["present"], "share": percent(c["speakers"], c["present"])},
        "upper_level": {"count": c["upper"], "held": held, "share": percent(c["upper"], held)},
    }


def _obligations(session: Session, pieces, root: str) -> Counter:
    c: Counter = Counter()
    for first, last, under in pieces:
        # listed: the IN list is exactly the subtree, so the database sums (no org column, no check below)
        keys = (_OBL.c.obligation, _OBL.c.met) if len(under[root]) <= tree.MAX_LISTED else (
            _OBL.c.org_id, _OBL.c.obligation, _OBL.c.met)
        rows = session.execute(
            select(*keys, func.count())
            .where(_OBL.c.period_end.between(first, last), tree.among(_OBL.c.org_id, under[root]))
            .group_by(*keys)).all()
        for *org, obligation, met, n in rows:
            if not org or org[0] in under[root]:
                c[(obligation, "required")] += n
                c[(obligation, "held" if met else "missed")] += n
    return c


def _obligation_shape(c: Counter) -> dict:
    return {
        o: {"required": c[(o, "required")], "held": c[(o, "held")], "missed": c[(o, "missed")],
            "missed_share": percent(c[(o, "missed")], c[(o, "required")])} for o in OBLIGATIONS}


def full_figures(session: Session, org_id: str, label: str, start: date, end: date, tree_mode: str,
                 named_period: bool, alerts_shown: int | None = None) -> dict:
    """The figures API's answer: the legacy fields (from the period counters when a named period is read
    along the tree in force then, else from this report) plus every section above. Names are those in force
    on the range's last day (today's with tree=today). ``alerts_shown``: see report_alerts.figures."""
    from reports import queries
    kids = queries.children(session, org_id)
    from_counters = named_period and tree_mode == "as_was"  # the children's rows then come from period_stat
    full = report(session, org_id, start, end, today_tree=tree_mode == "today", children=[] if from_counters else kids,
                  period=label if from_counters else None, alerts_shown=alerts_shown)
    if from_counters:
        legacy = queries.figures(session, org_id, label)
    else:
        rows = [_legacy(k, k, label, full["children_meetings"][k]) for k in kids]
        legacy = {**_legacy(org_id, org_id, label, full["meetings"]), "children": rows}
    full.pop("children_meetings")
    names = tree.names_on(session, date.today() if tree_mode == "today" else end, [org_id, *kids])
    legacy["org_name"] = names.get(org_id, org_id)
    for row in legacy["children"]:
        row["org_name"] = names.get(row["org_id"], row["org_id"])
    legacy["children"].sort(key=lambda row: row["org_name"])
    return {**legacy, **full}


def _legacy(org_id: str, name: str, label: str, m: dict) -> dict:
    return {"org_id": org_id, "org_name": name, "period": label, "meetings_held": m["held"],
            "levels": {level: m["levels"][level]["count"] for level in (*LEVELS, "unrated")},
            "attendance": m["attendance"]}
