"""Member figures of a subtree: the roll on the range's last day by dimension (from the counters of
``roll_months`` on a month's last day along the tree as it was), the lifecycle changes in the range, fees and
annual grades (see report.py for how facts are dated and placed in the tree)."""
from __future__ import annotations

from collections import Counter
from datetime import date

from sqlalchemy import and_, case, func, literal, or_, select, union_all
from sqlalchemy.orm import Session

from reports import roll_months, subtrees, tree
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
_LIVE = (*DIMENSIONS, "age_band", "party_age_band")  # the live roll's keys, in its order


CHANGE_KEYS = ("admitted", "made_official", "transferred_in", "transferred_out", *list(CHANGES.values())[2:])


def roll_of(session: Session, pieces, root: str, end: date, *, as_was: bool) -> dict:
    """The members section: the roll of the root's subtree on the range's last day. ``as_was``: the pieces
    follow the tree as it was (not ``tree=today``); the roll on a month's last day then comes from the counters
    (``roll_months``), else it is computed from the spans."""
    return _roll(session, subtrees.piece_of(pieces, end)[2][root], end, root if as_was else None)


def figures(session: Session, pieces, root: str, start: date, end: date, changes: dict | None = None, *,
            fees: tuple[int, int, int] | None = None, grades: dict[str, Counter] | None = None,
            roll: dict) -> dict:
    """``roll`` (``roll_of``); ``changes``, ``fees`` (due, paid, unpaid members), ``grades`` (subject kind ->
    level -> count): already counted (report_counters), else counted here from the rows."""
    return {"members": roll,
            "changes": _changes(session, pieces, root) if changes is None else changes,
            "fees": _fees(session, pieces, root) if fees is None else fee_shape(*fees),
            "grading": grading_shape(_grading(session, pieces, root, start, end) if grades is None else grades)}


def _on_roll(day: date):
    return and_(_SPAN.c.valid_from <= day, or_(_SPAN.c.valid_to.is_(None), _SPAN.c.valid_to > day))


def _roll(session: Session, under: frozenset[str], day: date, root: str | None = None) -> dict:
    """The roll on ``day`` by dimension and by sector. Along the tree as it was (``root`` given) on a month's
    last day, from the counters when they are built (``roll_basis``): the month deltas of the orgs under the
    root summed, plus the root's own spans counted live (a cell's roll is all its own). Otherwise live: one
    pass over the subtree's spans (a CTE, materialized since it is read once per dimension), each dimension
    summed by the database. Both give the same answer (test_roll_months.py)."""
    if root is not None and roll_months.is_month_end(day) and roll_months.built(session):
        counts = roll_months.roll(session, root, day)  # the orgs under the root; its own spans live
        own = live_roll(session, frozenset({root}), day) if session.execute(
            select(_SPAN.c.org_id).where(_SPAN.c.org_id == root).limit(1)).first() else {}
        out = {"on": day}
        for name in (*_LIVE, "sector"):
            merged = Counter(counts[name])
            merged.update(own.get(name, {}))
            out[name] = dict(sorted(merged.items()))
        out["total"] = sum(out["status"].values())
        return out
    return live_roll(session, under, day)


def live_roll(session: Session, under: frozenset[str], day: date) -> dict:
    """The roll on ``day`` of the orgs ``under``, computed from the spans."""
    columns = {d: _SPAN.c[d] for d in DIMENSIONS}
    columns["age_band"] = _band(session, "age", _SPAN.c.date_of_birth, day)
    columns["party_age_band"] = _band(session, "party_age", _SPAN.c.party_age_start, day)
    roll = select(_SPAN.c.org_id, *(column.label(name) for name, column in columns.items())).where(
        _on_roll(day), tree.among(_SPAN.c.org_id, under)).cte("roll")
    listed = len(under) <= tree.MAX_LISTED  # the IN list is then exactly the subtree: no org column needed
    parts = [select(literal(name).label("dimension"), (literal(None) if listed else roll.c.org_id).label("org"),
                    roll.c[name].label("value"), func.count().label("n"))
             .group_by(*((roll.c[name],) if listed else (roll.c.org_id, roll.c[name]))) for name in columns]
    parts.append(select(literal("org"), literal(None), roll.c.org_id, func.count()).group_by(roll.c.org_id))
    counts: dict[str, Counter] = {name: Counter() for name in (*columns, "org")}
    for name, org, value, n in session.execute(union_all(*parts)):
        if org is None or org in under:
            counts[name][value if name == "org" else value or UNKNOWN] += n
    out: dict = {"on": day, **{name: dict(sorted(counts[name].items())) for name in columns}}
    out["total"] = sum(out["status"].values())
    sectors = tree.attributes_on(session, "sector", day, under)
    by_sector: Counter = Counter()
    for org, n in counts["org"].items():
        if org in under:
            by_sector[sectors.get(org, UNKNOWN)] += n
    out["sector"] = dict(sorted(by_sector.items()))
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
        in_range = _CHANGE.c.happened_on.between(first, last)
        if len(s) <= tree.MAX_LISTED:  # listed exactly: the database sums every kind but the transfers
            for kind, n in session.execute(select(_CHANGE.c.kind, func.count()).where(
                    in_range, _CHANGE.c.kind != "transferred", tree.among(_CHANGE.c.org_id, s))
                    .group_by(_CHANGE.c.kind)):
                counts["transferred_in" if kind == "transfer_received" else CHANGES[kind]] += n
            in_range = and_(in_range, _CHANGE.c.kind == "transferred")
        # from the subtree, then into it from outside: two index reads (one OR of both lists reads the range)
        # (a subtree too large to list reads every row in the first, and the second is not needed)
        sides = [tree.among(_CHANGE.c.org_id, s)]
        if len(s) <= tree.MAX_LISTED:
            sides.append(and_(_CHANGE.c.other_org_id.in_(list(s)), _CHANGE.c.org_id.not_in(list(s))))
        rows = [row for side in sides for row in session.execute(
            select(_CHANGE.c.org_id, _CHANGE.c.kind, _CHANGE.c.other_org_id, func.count())
            .where(in_range, side).group_by(_CHANGE.c.org_id, _CHANGE.c.kind, _CHANGE.c.other_org_id))]
        for org, kind, other, n in rows:
            if kind == "transferred":  # a move inside the subtree is neither in nor out of it
                if org in s and other not in s:
                    counts["transferred_out"] += n
                elif org not in s and other in s:
                    counts["transferred_in"] += n
            elif org in s:
                counts["transferred_in" if kind == "transfer_received" else CHANGES[kind]] += n
    return change_shape(counts)


def change_shape(counts: Counter) -> dict:
    return {key: counts[key] for key in CHANGE_KEYS}


def fee_shape(due: int, paid: int, unpaid: int) -> dict:
    return {"due_vnd": due, "collected_vnd": paid, "collected_share": percent(paid, due), "unpaid_members": unpaid}


def _fees(session: Session, pieces, root: str) -> dict:
    due = paid = 0
    unpaid: set[str] = set()
    for first, last, under in pieces:
        s = under[root]
        in_piece = and_(_LINE.c.month.between(first, last), tree.among_param(session, _LINE.c.org_id, s))
        for org, d, p in session.execute(select(_LINE.c.org_id, func.sum(_LINE.c.due_vnd), func.sum(_LINE.c.paid_vnd))
                                         .where(in_piece).group_by(_LINE.c.org_id)):
            if org in s:
                due, paid = due + int(d), paid + int(p)
        unpaid.update(member for org, member in session.execute(
            select(_LINE.c.org_id, _LINE.c.member_id).distinct().where(in_piece, _LINE.c.paid_vnd < _LINE.c.due_vnd))
            if org in s)
    return fee_shape(due, paid, len(unpaid))


def _grading(session: Session, pieces, root: str, start: date, end: date) -> dict[str, Counter]:
    """Each year's kept grades of the orgs in the root's subtree on the year's last day (clamped to the range)."""
    counts = {"member": Counter(), "organization": Counter()}
    for kind, org, year, level, n in session.execute(
            select(_GRADE.c.subject_kind, _GRADE.c.org_id, _GRADE.c.year, _GRADE.c.level, func.count())
            .where(_GRADE.c.year.between(start.year, end.year),
                   tree.among_param(session, _GRADE.c.org_id,
                                    frozenset().union(*(under[root] for _, _, under in pieces))))
            .group_by(_GRADE.c.subject_kind, _GRADE.c.org_id, _GRADE.c.year, _GRADE.c.level)):
        day = min(max(date(year, 12, 31), start), end)
        if org in subtrees.piece_of(pieces, day)[2][root]:
            counts[kind][level] += n
    return counts


def grading_shape(counts: dict[str, Counter]) -> dict:
    return {name: _distribution(counts[kind]) for name, kind in (("members", "member"), ("organizations", "organization"))}


def _distribution(c: Counter) -> dict:
    total = sum(c.values())
    return {"total": total, **{g: {"count": c[g], "share": percent(c[g], total)} for g in GRADES}}
