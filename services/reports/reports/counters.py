"""Counters of closed obligations and lifecycle changes per (organization, period), kept like period_stat.

Each stored obligation (its latest closing) and change row carries the path it is counted along (the org and
its ancestors on the fact's day: an obligation's period_end, a change's happened_on; as far as the tree is
known). A batch loads the rows it touches, those whose path ends at an org the tree just learned and those
whose path holds an org that moved, recomputes their paths on the tree as it is now, and for each row that
changed subtracts its old contribution and adds the new one (additive upserts, one per table and batch). So
the counters equal what report._obligations and report_members._changes compute from the rows at query time,
whatever the order of the two streams (obligations come from MEETINGS, the tree from MEMBERS).

A transfer counts ``transferred_out`` for every org on the from-org's path not on the to-org's (a move inside
a subtree is neither in nor out of it) and ``transferred_in`` for every org on the to-org's path not on the
from-org's; a received transfer counts ``transferred_in`` along its org's path.
"""
from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from datetime import date

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from sqlalchemy import delete, tuple_

from shared.events import Event, FeesRecorded, MeetingObligationClosed
from reports import lifecycle, member_facts, tree
from reports.counter_models import ChangeStat, FeeStat, FeeUnpaid, GradeStat, ObligationStat
from reports.models import FeeLine, FeeSheet, GradeFact, MemberChange, ObligationFact
from reports.periods import periods_of
from reports.report_members import CHANGES
from reports.upsert import upsert

_OBL, _CHANGE = ObligationFact.__table__, MemberChange.__table__
_SHEET, _LINE, _GRADE = FeeSheet.__table__, FeeLine.__table__, GradeFact.__table__
Path = tuple[str, ...]
Changes = set[tuple[str, str]]


def apply(session: Session, events: Sequence[Event], new_orgs: set[str], moved_orgs: set[str]) -> Changes:
    """Store the batch's closings and changes with their paths, re-roll those the tree moved; returns the
    (org, period) whose counters changed. After tree.record_tree, in the batch's transaction."""
    closings = [lifecycle._obligation_row(e) for e in events if isinstance(e, MeetingObligationClosed)]
    changes = [c for c in map(member_facts.change, (e for e in events if isinstance(e, lifecycle.MEMBER_EVENTS)))
               if c is not None]
    fees = [e for e in events if isinstance(e, FeesRecorded)]
    grades = [lifecycle.grade_row(e) for e in events if isinstance(e, lifecycle.GRADE_EVENTS)]
    return (_obligations(session, closings, new_orgs, moved_orgs) | _changes(session, changes, new_orgs, moved_orgs)
            | _fees(session, fees, new_orgs, moved_orgs) | _grades(session, grades, new_orgs, moved_orgs))


def split(path: str) -> Path:
    return tuple(path.split(",")) if path else ()


def obligation_counts(path: Path, period_end: date, obligation: str, met: bool) -> dict[tuple, list[int]]:
    """(org, period, obligation) -> [required, held, missed] of one closed obligation."""
    return {(org, period, obligation): [1, int(met), int(not met)] for org in path for period in periods_of(period_end)}


def change_counts(kind: str, path: Path, other_path: Path, day: date) -> list[tuple[str, str, str]]:
    """The (org, period, figure key) one change adds 1 to."""
    if kind == "transferred":
        keys = [(o, "transferred_out") for o in path if o not in other_path] + [
            (o, "transferred_in") for o in other_path if o not in path]
    else:
        key = "transferred_in" if kind == "transfer_received" else CHANGES[kind]
        keys = [(o, key) for o in path]
    return [(org, period, key) for org, key in keys for period in periods_of(day)]


def _obligations(session: Session, closings: list[dict], new_orgs: set[str], moved_orgs: set[str]) -> Changes:
    best: dict[tuple, dict] = {}
    for row in closings:  # the latest closing of each obligation wins (lifecycle's rule)
        key = (row["org_id"], row["obligation"], row["period_start"])
        if key not in best or row["occurred_at"] > best[key]["occurred_at"]:
            best[key] = row
    by_key = [_OBL.c.org_id.in_(list({k[0] for k in best})), _OBL.c.period_start.in_(list({k[2] for k in best}))] \
        if best else None
    stored = {(r["org_id"], r["obligation"], r["period_start"]): lifecycle._aware(r)
              for r in load_rolled(session, _OBL, by_key, new_orgs, moved_orgs, ("",))}
    updated = dict(stored)
    for key, row in best.items():
        if key not in stored or row["occurred_at"] > stored[key]["occurred_at"]:
            updated[key] = row
    parents = tree.load_ancestry(session, {k[0] for k in updated}) if updated else {}
    deltas: dict[tuple, list[int]] = defaultdict(lambda: [0, 0, 0])
    rows = []
    for key, row in updated.items():
        path = tree.path_on(parents, row["org_id"], row["period_end"])
        old = stored.get(key)
        if old is row and old["rolled_path"] == ",".join(path):
            continue
        if old is not None:
            _add(deltas, obligation_counts(split(old["rolled_path"]), old["period_end"], old["obligation"], old["met"]), -1)
        _add(deltas, obligation_counts(path, row["period_end"], row["obligation"], row["met"]), 1)
        rows.append({**{c: row[c] for c in _OBL_COLUMNS}, "rolled_path": ",".join(path), "path_tail": path[-1]})
    upsert(session, _OBL, rows, ("org_id", "obligation", "period_start"), raw=True)
    stats = [{"org_id": o, "period": p, "obligation": k, "required": v[0], "held": v[1], "missed": v[2]}
             for (o, p, k), v in deltas.items() if any(v)]
    upsert(session, ObligationStat.__table__, stats, ("org_id", "period", "obligation"), "add", raw=True)
    return {(s["org_id"], s["period"]) for s in stats}


_OBL_COLUMNS = ("org_id", "obligation", "period_start", "period_end", "met", "occurred_at")
_CHANGE_COLUMNS = ("event_id", "member_id", "kind", "org_id", "other_org_id", "happened_on")


def _changes(session: Session, incoming: list[dict], new_orgs: set[str], moved_orgs: set[str]) -> Changes:
    by_key = [_CHANGE.c.event_id.in_([c["event_id"] for c in incoming])] if incoming else None
    stored = {r["event_id"]: dict(r) for r in load_rolled(session, _CHANGE, by_key, new_orgs, moved_orgs, ("", "other_"))}
    updated = {**{c["event_id"]: c for c in incoming if c["event_id"] not in stored}, **stored}
    parents = tree.load_ancestry(session, {o for c in updated.values() for o in _orgs(c)}) if updated else {}
    deltas: dict[tuple[str, str, str], int] = defaultdict(int)
    rows = []
    for key, change in updated.items():
        day = change["happened_on"]
        path = tree.path_on(parents, change["org_id"], day)
        other = tree.path_on(parents, change["other_org_id"], day) if _transfer(change) else ()
        old = stored.get(key)
        if old is not None and (old["rolled_path"], old["other_rolled_path"]) == (",".join(path), ",".join(other)):
            continue
        if old is not None:
            for count in change_counts(old["kind"], split(old["rolled_path"]), split(old["other_rolled_path"]), day):
                deltas[count] -= 1
        for count in change_counts(change["kind"], path, other, day):
            deltas[count] += 1
        rows.append({**{c: change[c] for c in _CHANGE_COLUMNS}, "rolled_path": ",".join(path), "path_tail": path[-1],
                     "other_rolled_path": ",".join(other), "other_path_tail": other[-1] if other else ""})
    upsert(session, _CHANGE, rows, ("event_id",), raw=True)
    stats = [{"org_id": o, "period": p, "kind": k, "count": n} for (o, p, k), n in deltas.items() if n]
    upsert(session, ChangeStat.__table__, stats, ("org_id", "period", "kind"), "add", raw=True)
    return {(s["org_id"], s["period"]) for s in stats}


def _transfer(change: dict) -> bool:
    return change["kind"] == "transferred" and bool(change["other_org_id"])


def _orgs(change: dict) -> Iterable[str]:
    return (change["org_id"], change["other_org_id"]) if _transfer(change) else (change["org_id"],)


def _add(deltas: dict[tuple, list[int]], counts: dict[tuple, list[int]], sign: int) -> None:
    for key, values in counts.items():
        row = deltas[key]
        row[:] = [a + sign * b for a, b in zip(row, values)]


def load_rolled(session: Session, table, by_key: list | None, new_orgs: set[str], moved_orgs: set[str],
          prefixes: tuple[str, ...]) -> list:
    """Rows of the batch's keys, rows whose path ends at an org new to the tree, rows whose path holds a moved
    org: one statement each, so that each is served by its index (the moved ones scan: moves are rare)."""
    wheres = [by_key] if by_key else []
    wheres += [[table.c[f"{p}path_tail"].in_(new_orgs)] for p in prefixes] if new_orgs else []
    if moved_orgs:
        wheres.append([or_(*(table.c[f"{p}rolled_path"].contains(org) for p in prefixes for org in moved_orgs))])
    return [row for where in wheres for row in session.execute(select(table).where(*where)).mappings()]


def fee_counts(path: Path, month: date, due: int, paid: int) -> dict[tuple[str, str], list[int]]:
    """(org, period) -> [due, paid] of one kept sheet."""
    return {(org, period): [due, paid] for org in path for period in periods_of(month)}


def unpaid_counts(path: Path, month: date, members: Iterable[str]) -> list[tuple[str, str, str]]:
    """The (org, period, member) one sheet's unpaid lines add 1 to (a member has one line per sheet)."""
    return [(org, period, m) for m in members for org in path for period in periods_of(month)]


def _fees(session: Session, events: list[FeesRecorded], new_orgs: set[str], moved_orgs: set[str]) -> Changes:
    """Keep each cell-month's highest revision (its lines replace the previous revision's) with its sums and
    path; fee_stat and fee_unpaid get the new contribution minus the old one (a revision, a re-rolled path)."""
    best: dict[tuple[str, date], FeesRecorded] = {}
    for e in events:
        key = (str(e.organization_id), e.month)
        if key not in best or e.revision > best[key].revision:
            best[key] = e
    by_key = [tuple_(_SHEET.c.org_id, _SHEET.c.month).in_(list(best))] if best else None
    stored = {(r["org_id"], r["month"]): dict(r) for r in load_rolled(session, _SHEET, by_key, new_orgs, moved_orgs, ("",))}
    revised = {key: e for key, e in best.items() if key not in stored or e.revision > stored[key]["revision"]}
    if not revised and not stored:
        return set()
    keys = list({*revised, *stored})
    parents = tree.load_ancestry(session, {k[0] for k in keys})
    paths = {key: tree.path_on(parents, key[0], key[1]) for key in keys}
    touched = [k for k in keys if k in revised or stored[k]["rolled_path"] != ",".join(paths[k])]
    old_unpaid: dict[tuple, list[str]] = defaultdict(list)
    for start in range(0, len(touched), 500):
        for org, month, member in session.execute(
                select(_LINE.c.org_id, _LINE.c.month, _LINE.c.member_id).where(
                    tuple_(_LINE.c.org_id, _LINE.c.month).in_([k for k in touched[start:start + 500] if k in stored]),
                    _LINE.c.paid_vnd < _LINE.c.due_vnd)):
            old_unpaid[(org, month)].append(member)
    sums: dict[tuple, list[int]] = defaultdict(lambda: [0, 0])
    refs: dict[tuple, int] = defaultdict(int)
    sheets, lines = [], []
    for key in touched:
        org, month = key
        old, path = stored.get(key), paths[key]
        if old is not None:
            old_path = split(old["rolled_path"])
            _add(sums, fee_counts(old_path, month, old["due_vnd"], old["paid_vnd"]), -1)
            for count in unpaid_counts(old_path, month, old_unpaid[key]):
                refs[count] -= 1
        if key in revised:
            e = revised[key]
            new_lines = {str(line.member_id): line for line in e.lines}
            row = {"org_id": org, "month": month, "revision": e.revision,
                   "due_vnd": sum(x.due_vnd for x in new_lines.values()),
                   "paid_vnd": sum(x.paid_vnd for x in new_lines.values())}
            unpaid = [m for m, x in new_lines.items() if x.paid_vnd < x.due_vnd]
            if old is not None:
                session.execute(delete(_LINE).where(_LINE.c.org_id == org, _LINE.c.month == month))
            lines += [{"org_id": org, "month": month, "member_id": m, "due_vnd": x.due_vnd, "paid_vnd": x.paid_vnd}
                      for m, x in new_lines.items()]
        else:
            row = {c: old[c] for c in ("org_id", "month", "revision", "due_vnd", "paid_vnd")}
            unpaid = old_unpaid[key]
        _add(sums, fee_counts(path, month, row["due_vnd"], row["paid_vnd"]), 1)
        for count in unpaid_counts(path, month, unpaid):
            refs[count] += 1
        sheets.append({**row, "rolled_path": ",".join(path), "path_tail": path[-1]})
    upsert(session, _SHEET, sheets, ("org_id", "month"), raw=True)
    upsert(session, _LINE, lines, ("org_id", "month", "member_id"), raw=True)
    stats = [{"org_id": o, "period": p, "due_vnd": v[0], "paid_vnd": v[1]} for (o, p), v in sums.items() if any(v)]
    upsert(session, FeeStat.__table__, stats, ("org_id", "period"), "add", raw=True)
    counted = [{"org_id": o, "period": p, "member_id": m, "lines": n} for (o, p, m), n in refs.items() if n]
    upsert(session, FeeUnpaid.__table__, counted, ("org_id", "period", "member_id"), "add", raw=True)
    return {(s["org_id"], s["period"]) for s in stats} | {(c["org_id"], c["period"]) for c in counted}


def grade_counts(path: Path, year: int, kind: str, level: str) -> list[tuple[str, int, str, str]]:
    """The (org, year, subject kind, level) one kept grade adds 1 to."""
    return [(org, year, kind, level) for org in path]


_GRADE_KEY = ("subject_kind", "subject_id", "year")
_GRADE_COLUMNS = (*_GRADE_KEY, "org_id", "level", "decided_on", "occurred_at")


def _decision(row: dict) -> tuple:
    return row["decided_on"], row["occurred_at"]


def _grades(session: Session, incoming: list[dict], new_orgs: set[str], moved_orgs: set[str]) -> Changes:
    """Keep each subject's latest decision of a year (decided_on, then occurred_at) with its path on 31 December
    of that year; grade_stat gets the new contribution minus the old one (a later decision, a re-rolled path)."""
    best: dict[tuple, dict] = {}
    for row in incoming:
        key = tuple(row[k] for k in _GRADE_KEY)
        if key not in best or _decision(row) > _decision(best[key]):
            best[key] = row
    # by subject alone (one parameter each): a subject's other years come along and are skipped unless moved
    by_key = [_GRADE.c.subject_id.in_(list({k[1] for k in best}))] if best else None
    stored = {tuple(r[k] for k in _GRADE_KEY): lifecycle._aware(r)
              for r in load_rolled(session, _GRADE, by_key, new_orgs, moved_orgs, ("",))}
    updated = dict(stored)
    for key, row in best.items():
        if key not in stored or _decision(row) > _decision(stored[key]):
            updated[key] = row
    parents = tree.load_ancestry(session, {r["org_id"] for r in updated.values()}) if updated else {}
    deltas: dict[tuple, int] = defaultdict(int)
    rows = []
    for key, row in updated.items():
        path = tree.path_on(parents, row["org_id"], date(row["year"], 12, 31))
        old = stored.get(key)
        if old is row and old["rolled_path"] == ",".join(path):
            continue
        if old is not None:
            for count in grade_counts(split(old["rolled_path"]), old["year"], old["subject_kind"], old["level"]):
                deltas[count] -= 1
        for count in grade_counts(path, row["year"], row["subject_kind"], row["level"]):
            deltas[count] += 1
        rows.append({**{c: row[c] for c in _GRADE_COLUMNS}, "rolled_path": ",".join(path), "path_tail": path[-1]})
    upsert(session, _GRADE, rows, _GRADE_KEY, raw=True)
    stats = [{"org_id": o, "year": y, "subject_kind": k, "level": lv, "count": n}
             for (o, y, k, lv), n in deltas.items() if n]
    upsert(session, GradeStat.__table__, stats, ("org_id", "year", "subject_kind", "level"), "add", raw=True)
    return {(s["org_id"], str(s["year"])) for s in stats}
