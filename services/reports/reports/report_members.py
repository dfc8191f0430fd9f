"""Member figures of a subtree: the roll on the range's last day by dimension, the lifecycle changes in the
range, fees and annual grades (see report.py for how facts are dated and placed in the tree)."""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select
from sqlalchemy.orm import Session

from reports import subtrees, tree
from reports.models import FeeLine, GradeFact, MemberChange, MemberSpan, StatBand
from reports.queries import percent

_SPAN, _CHANGE, _LINE, _GRADE, _BAND = (MemberSpan.__table__, MemberChange.__table__, FeeLine.__table__,
                                        GradeFact.__table__, StatBand.__table__)
DIMENSIONS = ("status", "sex", "ethnicity", "religion", "education_level", "political_theory_level")
CHANGES = {"admitted": "admitted", "made_official": "made_official", "temporarily_transferred": "transferred_temporarily",
           "card_issued": "cards_issued", "card_replaced": "cards_replaced", "badge_awarded": "badges_awarded",
           "exempted": "exempted", "removed": "names_removed", "expelled": "expelled", "exited": "exited",
           "deceased": "deceased", "probation_not_recognized": "probation_not_recognized"}
GRADES = ("excellent", "good", "completed", "not_completed")
UNKNOWN = "unknown"


def figures(session: Session, pieces, root: str, start: date, end: date) -> dict:
    return {"members": _roll(session, subtrees.piece_of(pieces, end)[2][root], end),
            "changes": _changes(session, pieces, root), "fees": _fees(session, pieces, root),
            "grading": _grading(session, pieces, root, start, end)}


def _on_roll(day: date):
    return and_(_SPAN.c.valid_from <= day, or_(_SPAN.c.valid_to.is_(None), _SPAN.c.valid_to > day))


def _roll(session: Session, under: frozenset[str], day: date) -> dict:
    out: dict = {"on": day}
    columns = {d: _SPAN.c[d] for d in DIMENSIONS}
    columns["age_band"] = _band(session, "age", _SPAN.c.date_of_birth, day)
    columns["party_age_band"] = _band(session, "party_age", _SPAN.c.party_age_start, day)
    listed = len(under) <= tree.MAX_LISTED  # the IN list is then exactly the subtree: SQL sums, not Python
    for name, column in columns.items():
        counts: Counter = Counter()
        keys = (column,) if listed else (_SPAN.c.org_id, column)
        for *org, value, n in session.execute(select(*keys, func.count())
                                              .where(_on_roll(day), tree.among(_SPAN.c.org_id, under))
                                              .group_by(*keys)):
            if not org or org[0] in under:
                counts[value or UNKNOWN] += n
        out[name] = dict(sorted(counts.items()))
    out["total"] = sum(out["status"].values())
    sectors = tree.attributes_on(session, "sector", day, under)
    by_org = session.execute(select(_SPAN.c.org_id, func.count()).where(_on_roll(day), tree.among(_SPAN.c.org_id, under))
                             .group_by(_SPAN.c.org_id))
    counts = Counter()
    for org, n in by_org:
        if org in under:
            counts[sectors.get(org, UNKNOWN)] += n
    out["sector"] = dict(sorted(counts.items()))
    return out


def _band(session: Session, dimension: str, column, day: date):
    """A CASE giving the band (in force on ``day``) of the whole years between ``column`` and ``day``."""
    rows = session.execute(select(_BAND.c.valid_from, _BAND.c.code, _BAND.c.min_years).where(
        _BAND.c.dimension == dimension, _BAND.c.valid_from <= day)).all()
    since = max((r[0] for r in rows), default=None)
    bands = sorted(((m, code) for valid_from, code, m in rows if valid_from == since), reverse=True)
    if not bands:
        return literal(UNKNOWN)
    whens = [(column.is_(None), UNKNOWN)] + [(column <= _years_before(day, m), code) for m, code in bands]
    return case(*whens, else_=bands[-1][1])


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _changes(session: Session, pieces, root: str) -> dict:
    counts: Counter = Counter()
    for first, last, under in pieces:
        s = under[root]
        for org, kind, other, n in session.execute(
                select(_CHANGE.c.org_id, _CHANGE.c.kind, _CHANGE.c.other_org_id, func.count())
                .where(_CHANGE.c.happened_on.between(first, last),
                       or_(tree.among(_CHANGE.c.org_id, s), tree.among(_CHANGE.c.other_org_id, s)))
                .group_by(_CHANGE.c.org_id, _CHANGE.c.kind, _CHANGE.c.other_org_id)):
            if kind == "transferred":  # a move inside the subtree is neither in nor out of it
                if org in s and other not in s:
                    counts["transferred_out"] += n
                elif org not in s and other in s:
                    counts["transferred_in"] += n
            elif org in s:
                counts["transferred_in" if kind == "transfer_received" else CHANGES[kind]] += n
    return {key: counts[key] for key in ("admitted", "made_official", "transferred_in", "transferred_out",
                                         *list(CHANGES.values())[2:])}


def _fees(session: Session, pieces, root: str) -> dict:
    due = paid = 0
    unpaid: set[str] = set()
    for first, last, under in pieces:
        s = under[root]
        in_piece = and_(_LINE.c.month.between(first, last), tree.among(_LINE.c.org_id, s))
        for org, d, p in session.execute(select(_LINE.c.org_id, func.sum(_LINE.c.due_vnd), func.sum(_LINE.c.paid_vnd))
                                         .where(in_piece).group_by(_LINE.c.org_id)):
            if org in s:
                due, paid = due + int(d), paid + int(p)
        unpaid.update(member for org, member in session.execute(
            select(_LINE.c.org_id, _LINE.c.member_id).distinct().where(in_piece, _LINE.c.paid_vnd < _LINE.c.due_vnd))
            if org in s)
    return {"due_vnd": due, "collected_vnd": paid, "collected_share": percent(paid, due), "unpaid_members": len(unpaid)}


def _grading(session: Session, pieces, root: str, start: date, end: date) -> dict:
    counts = {"member": Counter(), "organization": Counter()}
    for kind, org, year, level, n in session.execute(
            select(_GRADE.c.subject_kind, _GRADE.c.org_id, _GRADE.c.year, _GRADE.c.level, func.count())
            .where(_GRADE.c.year.between(start.year, end.year),
                   tree.among(_GRADE.c.org_id, frozenset().union(*(under[root] for _, _, under in pieces))))
            .group_by(_GRADE.c.subject_kind, _GRADE.c.org_id, _GRADE.c.year, _GRADE.c.level)):
        day = min(max(date(year, 12, 31), start), end)
        if org in subtrees.piece_of(pieces, day)[2][root]:
            counts[kind][level] += n
    return {name: _distribution(counts[kind]) for name, kind in (("members", "member"), ("organizations", "organization"))}


def _distribution(c: Counter) -> dict:
    total = sum(c.values())
    return {"total": total, **{g: {"count": c[g], "share": percent(c[g], total)} for g in GRADES}}
