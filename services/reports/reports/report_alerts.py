"""The `alerts` section of the figures (rules in alerts.py).

A review or an absence limit is listed when it was raised in the range in a cell under the root then
(``raised_on``; an ``AbsenceLimitReached`` is dated by when it happened, in Vietnam's civil date). A probation is
checked on the range's last day (today when the range runs past it): the member is on a cell's roll under the
root, admitted (ceremony date) at least ``probation_months`` before, with no decision yet on that day, and more
than ``probation_decision_working_days`` working days past the 12-month mark.
"""
from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import and_, func, or_, select, union_all
from sqlalchemy.orm import Session

from shared import clock
from shared.calendar import add_months, public_holidays, working_days_after
from reports import subtrees, tree
from reports.alerts import KEYS, OPEN, in_force, rules
from reports.models import AlertAt, MemberAlert, MemberInfo, MemberSpan

_ALERT, _INFO, _SPAN, _AT = MemberAlert.__table__, MemberInfo.__table__, MemberSpan.__table__, AlertAt.__table__
# Up to this many orgs the overdue probations are read from the subtree's roll by org, above it from the
# probation index alone (``_undecided``: the country's undecided probations, kept if in the subtree). Measured at
# full national scale on the bench's database, 30 random orgs each way, the year: a committee (~420 orgs) by org
# 10.9 ms cold / 5.5 warm (p50; its members' rows are read at random), from the index 3.6 / 3.3; a grassroots
# committee (~6 orgs) by org 1.4 / 0.5, from the index 2.6 / 2.3; a province by org took 80 ms (scale 0.5).
# Until 2026-11-23 it was 1000 (the index read cost more before roll_until, 0011).
BY_ORG = 64
_KIND = {"removal_review": "removal_reviews", "absence_limit": "absence_limits"}
SHOWN = 20  # a dashboard's alerts of each kind (the first by date; the totals count them all)


def figures(session: Session, pieces, root: str, start: date, end: date, today: date | None = None,
            shown: int | None = None, *, as_was: bool = False) -> dict:
    """The `alerts` section: {removal_reviews, absence_limits, overdue_probations}, each a list of
    {member_id, member_name, org_id, org_name, reason, count, date} by date (then org and member name), and
    ``totals``: how many of each. ``shown``: each list holds its first ``shown`` only (a dashboard; the
    exports list them all), and only those are named. ``as_was``: the pieces follow the tree as it was, so the
    reviews and absence limits are those ``alert_at`` places under the root on their day (one indexed range,
    the same rows as the pieces select: test_alerts.py); otherwise they are selected piece by piece."""
    out: dict[str, list[dict]] = {key: [] for key in KEYS}
    counted: dict[str, int] = {}
    if as_was:
        for kind, member, org, reason, count, day in _placed(session, root, start, end, shown, counted):
            out[_KIND[kind]].append(_item(member, org, reason, count, day))
    for first, last, under in () if as_was else pieces:
        for kind, member, org, reason, count, day in session.execute(
                select(_ALERT.c.kind, _ALERT.c.member_id, _ALERT.c.org_id, _ALERT.c.reason, _ALERT.c.count,
                       _ALERT.c.raised_on).where(_ALERT.c.raised_on.between(first, last),
                                                 tree.among_param(session, _ALERT.c.org_id, under[root]))):
            if org in under[root]:
                out[_KIND[kind]].append(_item(member, org, reason, count, day))
    on = min(end, today or clock.today())
    if on >= start:
        out["overdue_probations"] = _overdue(session, subtrees.piece_of(pieces, on)[2][root], on)
    totals = {key: counted.get(key, len(out[key])) for key in KEYS}
    if shown is not None:  # those dated up to the shown-th item's date: the first ones whatever their names
        for key, found in out.items():
            if len(found) > shown:
                last = sorted(i["date"] for i in found)[max(shown - 1, 0)]
                out[key] = [i for i in found if i["date"] <= last] if shown else []
    items = [item for key in KEYS for item in out[key]]
    names = _member_names(session, {i["member_id"] for i in items})
    orgs = tree.names_on(session, end, {i["org_id"] for i in items})
    for item in items:
        item["member_name"] = names.get(item["member_id"]) or item["member_id"]
        item["org_name"] = orgs.get(item["org_id"], item["org_id"])
    for key in KEYS:
        out[key].sort(key=lambda i: (i["date"], i["org_name"], i["member_name"], i["reason"]))
        del out[key][shown if shown is not None else len(out[key]):]
    return {**out, "totals": totals}


def _placed(session: Session, root: str, start: date, end: date, shown: int | None, counted: dict[str, int]):
    """``alert_at``'s (kind, member, cell, reason, count, day) under ``root`` in [start, end]: every row, or with
    ``shown`` each kind's count (into ``counted``) and only its rows dated up to its ``shown``-th row's date (ties
    included: what ``figures`` keeps of them), read by the index in date order (a province's year: ~930 rows
    read for ~40 shown)."""
    columns = (_AT.c.kind, _AT.c.member_id, _AT.c.cell_id, _AT.c.reason, _AT.c.count, _AT.c.raised_on)
    under = _AT.c.org_id == root
    if shown is None:
        return session.execute(select(*columns).where(under, _AT.c.raised_on.between(start, end))).all()
    rows = []
    for kind, n in session.execute(select(_AT.c.kind, func.count()).where(under, _AT.c.raised_on.between(start, end))
                                   .group_by(_AT.c.kind)).all():
        counted[_KIND[kind]] = n
        last = end if n <= shown else session.execute(
            select(_AT.c.raised_on).where(under, _AT.c.raised_on.between(start, end), _AT.c.kind == kind)
            .order_by(_AT.c.raised_on).offset(shown - 1).limit(1)).scalar_one() if shown else None
        if last is not None:
            rows += session.execute(select(*columns).where(under, _AT.c.raised_on.between(start, last),
                                                           _AT.c.kind == kind)).all()
    return rows


def section(session: Session, org_id: str, start: date, end: date) -> dict:
    """The `alerts` section of one organization's subtree over [start, end], along the tree in force then."""
    return figures(session, tree.pieces(session, [org_id], start, end), org_id, start, end, as_was=True)


def _item(member: str, org: str, reason: str, count: int, day: date) -> dict:
    return {"member_id": member, "member_name": None, "org_id": org, "org_name": None, "reason": reason,
            "count": count, "date": day}


def _overdue(session: Session, under: frozenset[str], on: date) -> list[dict]:
    months = rules(session, "probation_months")
    admitted_by = latest_admission_due(months, on)
    until = _INFO.c.probation_until
    if len(under) <= BY_ORG:  # a small subtree: its members' rows first (by org), then each one's probation
        rows = [(m, org, since) for m, org, since in session.execute(
            select(_SPAN.c.member_id, _SPAN.c.org_id, _INFO.c.probation_from)
            .select_from(_INFO).join(_SPAN, _SPAN.c.member_id == _INFO.c.member_id)
            .where(until > on, _INFO.c.probation_from <= admitted_by, _on_roll(on),
                   tree.among_param(session, _SPAN.c.org_id, under))) if org in under]
    else:
        rows = [row for row in _undecided(session, under, admitted_by, on) if row[1] in under]
    if not rows:
        return []
    limit = rules(session, "probation_decision_working_days")
    holidays = public_holidays()
    out = []
    for member, org, since in rows:
        mark = add_months(since, in_force(months, since))
        if mark >= on:
            continue
        late = working_days_after(mark, on, holidays)
        if late > in_force(limit, mark):
            out.append({**_item(member, org, "overdue_probation", late, mark), "probation_from": since})
    return out


def _on_roll(on: date):
    return and_(_SPAN.c.valid_from <= on, or_(_SPAN.c.valid_to.is_(None), _SPAN.c.valid_to > on))


def _undecided(session: Session, under: frozenset[str], admitted_by: date, on: date) -> list[tuple[str, str, date]]:
    """(member, org on ``on``, admission) of the probations admitted by ``admitted_by`` and not decided on ``on``
    whose member is on a roll that day, in ``under`` or possibly so (the caller keeps those in ``under``):
    ``until > on`` as two ranges of ix_member_info_probation (0006, 0011), the open ones (9999-12-31) by admission
    date and those decided after ``on`` (a past report), read from the index alone. The member's last span
    (``roll_org_id`` from ``roll_from`` until ``roll_until``) places them on any day from ``roll_from`` on: on
    ``roll_org_id``'s roll before ``roll_until``, on none after it (no span: never). Only those whose last span
    began after ``on`` (a transfer or a profile change since: a past report) are placed by their spans."""
    until, org_from, org_until = _INFO.c.probation_until, _INFO.c.roll_from, _INFO.c.roll_until
    maybe_under = or_(org_from > on, tree.among_param(session, _INFO.c.roll_org_id, under))
    both = union_all(*(
        select(_INFO.c.member_id, _INFO.c.probation_from, _INFO.c.roll_org_id, org_from, org_until)
        .where(undecided, _INFO.c.probation_from <= admitted_by, maybe_under)
        for undecided in (until == OPEN, and_(until > on, until < OPEN))))
    # ORDER BY: SQLite gathers the few matches of the ~10,000 index entries in one step into its sorter instead of
    # coming back to Python between them (a province at national scale, the statement alone: 11.2 -> 4.5 ms)
    found = session.execute(both.order_by(both.selected_columns.member_id)).all()
    rows = [(m, org, since) for m, since, org, first, last in found
            if first is not None and first <= on and (last is None or last > on)]
    others = {m: since for m, since, _, first, _ in found if first is not None and first > on}
    ids = sorted(others)
    for start in range(0, len(ids), 500):
        rows += [(m, org, others[m]) for m, org in session.execute(
            select(_SPAN.c.member_id, _SPAN.c.org_id).where(_SPAN.c.member_id.in_(ids[start:start + 500]), _on_roll(on)))]
    return rows


def latest_admission_due(months: list[tuple[date, int]], on: date) -> date:
    """The last admission day whose probation can have reached its mark (``add_months(since, months in force
    then)``) before ``on``: any later one has not, whichever version of ``probation_months`` applies, since the
    mark never decreases with the day nor with the months. ``on`` when the rules hold no version (the caller
    then fails on them anyway)."""
    if not months:
        return on
    least = min(value for _, value in months)
    day = add_months(on, -least)
    while add_months(day, least) >= on:
        day -= timedelta(days=1)
    while add_months(day + timedelta(days=1), least) < on:
        day += timedelta(days=1)
    return min(day, on)


def _member_names(session: Session, members: set[str]) -> dict[str, str | None]:
    return dict(session.execute(select(_INFO.c.member_id, _INFO.c.full_name).where(
        tree.among_param(session, _INFO.c.member_id, members, "member_ids"))).all()) if members else {}
