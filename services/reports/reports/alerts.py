"""Alerts: removal reviews (members: ``RemovalReviewRaised``), absence limits (meetings: ``AbsenceLimitReached``)
and overdue probations (derived here from the admission and the decision that closed the probation).

Projection: one ``member_alert`` row per (kind, member, cell, year, reason); the highest count wins, then the
latest event, so duplicates and any arrival order give the same row. Probations come from ``member_info``,
refolded with the member's roll (``member_facts.info``).

Figures: a review or an absence limit is listed when it was raised in the range in a cell under the root then
(``raised_on``; an ``AbsenceLimitReached`` is dated by when it happened, in Vietnam's civil date). A probation
is checked on the range's last day (today when the range runs past it): the member is on a cell's roll under
the root, admitted (ceremony date) ``probation_months`` before or earlier, with no decision yet on that day;
it is *due* from the 12-month mark and *overdue* once more than ``probation_decision_working_days`` working days
(weekends and ``public_holiday`` rows skipped) have passed after the mark — 30 working days: not yet, 31: overdue.
Both numbers are data (``alert_rule``, seeded by 0003_alerts from domain.md §3), the one in force on the
admission day for the months and on the mark for the working days.
"""
from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from shared import clock
from shared.events import AbsenceLimitReached, Event, RemovalReviewRaised
from reports import subtrees, tree
from reports.lifecycle import _keep_newest
from reports.models import AlertRule, MemberAlert, MemberInfo, MemberSpan, OrgAttr, OrgNode, PublicHoliday

ALERT_EVENTS = (RemovalReviewRaised, AbsenceLimitReached)
KEYS = ("removal_reviews", "absence_limits", "overdue_probations")  # the figures' `alerts` lists
_ALERT, _INFO, _SPAN, _RULE, _HOLIDAY = (MemberAlert.__table__, MemberInfo.__table__, MemberSpan.__table__,
                                         AlertRule.__table__, PublicHoliday.__table__)
_ATTR, _NODE = OrgAttr.__table__, OrgNode.__table__
_KIND = {"removal_review": "removal_reviews", "absence_limit": "absence_limits"}


def raised_on(event: RemovalReviewRaised | AbsenceLimitReached) -> date:
    if isinstance(event, RemovalReviewRaised):
        return event.raised_on
    return event.occurred_at.astimezone(clock.TIMEZONE).date()  # the event carries no date of its own


def touched(events: Sequence[Event]) -> set[tuple[str, date]]:
    """(cell, day) of each alert event: the live dashboards of the cell's lineage read their figures again."""
    return {(str(e.organization_id), raised_on(e)) for e in events if isinstance(e, ALERT_EVENTS)}


def apply(session: Session, events: Sequence[Event]) -> None:
    """Store the alert events (the inbox already dropped redelivered ones)."""
    rows = [_row(e) for e in events if isinstance(e, ALERT_EVENTS)]
    _keep_newest(session, _ALERT, ("kind", "member_id", "org_id", "year", "reason"),
                 lambda r: (r["count"], r["occurred_at"], r["raised_on"]), rows)


def _row(e: RemovalReviewRaised | AbsenceLimitReached) -> dict:
    review = isinstance(e, RemovalReviewRaised)
    return {"kind": "removal_review" if review else "absence_limit", "member_id": str(e.member_id),
            "org_id": str(e.organization_id), "year": e.year, "reason": e.cause if review else e.rule,
            "count": e.count, "raised_on": raised_on(e), "meeting_id": None if review else str(e.meeting_id),
            "occurred_at": e.occurred_at}


# ---------------------------------------------------------------------------------------------- figures


def figures(session: Session, pieces, root: str, start: date, end: date, today: date | None = None) -> dict:
    """The `alerts` section: {removal_reviews, absence_limits, overdue_probations}, each a list of
    {member_id, member_name, org_id, org_name, reason, count, date}."""
    out: dict[str, list[dict]] = {key: [] for key in KEYS}
    for first, last, under in pieces:
        for kind, member, org, reason, count, day in session.execute(
                select(_ALERT.c.kind, _ALERT.c.member_id, _ALERT.c.org_id, _ALERT.c.reason, _ALERT.c.count,
                       _ALERT.c.raised_on).where(_ALERT.c.raised_on.between(first, last))):
            if org in under[root]:
                out[_KIND[kind]].append(_item(member, org, reason, count, day))
    on = min(end, today or clock.today())
    if on >= start:
        out["overdue_probations"] = _overdue(session, subtrees.piece_of(pieces, on)[2][root], on)
    items = [item for key in KEYS for item in out[key]]
    names = _member_names(session, {i["member_id"] for i in items})
    orgs = _org_names(session, {i["org_id"] for i in items}, end)
    for item in items:
        item["member_name"] = names.get(item["member_id"]) or item["member_id"]
        item["org_name"] = orgs.get(item["org_id"], item["org_id"])
    for key in KEYS:
        out[key].sort(key=lambda i: (i["date"], i["org_name"], i["member_name"], i["reason"]))
    return out


def section(session: Session, org_id: str, start: date, end: date) -> dict:
    """The `alerts` section of one organization's subtree over [start, end], along the tree in force then."""
    pieces = subtrees.segments(tree.all_parents(session), [org_id], start, end)
    return figures(session, pieces, org_id, start, end)


def _item(member: str, org: str, reason: str, count: int, day: date) -> dict:
    return {"member_id": member, "member_name": None, "org_id": org, "org_name": None, "reason": reason,
            "count": count, "date": day}


def _overdue(session: Session, under: frozenset[str], on: date) -> list[dict]:
    on_roll = and_(_SPAN.c.valid_from <= on, or_(_SPAN.c.valid_to.is_(None), _SPAN.c.valid_to > on))
    rows = [(m, org, since) for m, org, since in session.execute(
        select(_SPAN.c.member_id, _SPAN.c.org_id, _INFO.c.probation_from)
        .select_from(_INFO).join(_SPAN, _SPAN.c.member_id == _INFO.c.member_id)
        .where(_INFO.c.probation_until > on, _INFO.c.probation_from <= on, on_roll)) if org in under]
    if not rows:
        return []
    months, limit = rules(session, "probation_months"), rules(session, "probation_decision_working_days")
    holidays = set(session.execute(select(_HOLIDAY.c.day).where(_HOLIDAY.c.day <= on)).scalars())
    out = []
    for member, org, since in rows:
        mark = add_months(since, in_force(months, since))
        if mark >= on:
            continue
        late = working_days_after(mark, on, holidays)
        if late > in_force(limit, mark):
            out.append({**_item(member, org, "overdue_probation", late, mark), "probation_from": since})
    return out


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


def add_months(day: date, months: int) -> date:
    """The same day ``months`` later (the month's last day when it has no such day: 29 Feb → 28 Feb)."""
    total = day.year * 12 + day.month - 1 + months
    year, month = divmod(total, 12)
    following = date(year + (month + 1) // 12, (month + 1) % 12 + 1, 1)
    return min(day.replace(year=year, month=month + 1, day=1) + timedelta(days=day.day - 1),
               following - timedelta(days=1))


def working_days_after(mark: date, until: date, holidays: set[date] = frozenset()) -> int:
    """Working days in (mark, until]: Monday to Friday, less the public holidays among them."""
    if until <= mark:
        return 0
    first = mark + timedelta(days=1)
    days = (until - first).days + 1
    weeks, rest = divmod(days, 7)
    count = weeks * 5 + sum(1 for i in range(rest) if (first.weekday() + i) % 7 < 5)
    return count - sum(1 for h in holidays if first <= h <= until and h.weekday() < 5)


def _member_names(session: Session, members: set[str]) -> dict[str, str | None]:
    ids = sorted(members)
    return {m: n for start in range(0, len(ids), 500) for m, n in session.execute(
        select(_INFO.c.member_id, _INFO.c.full_name).where(_INFO.c.member_id.in_(ids[start:start + 500])))}


def _org_names(session: Session, orgs: set[str], day: date) -> dict[str, str]:
    """Names in force on ``day`` (the latest otherwise, as ``tree.attributes_on``)."""
    ids = sorted(orgs)
    names: dict[str, str] = {}
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        names.update(session.execute(select(_NODE.c.id, _NODE.c.name).where(_NODE.c.id.in_(chunk))).all())
        history: dict[str, list[tuple[date, str]]] = {}
        for org, valid_from, value in session.execute(select(_ATTR.c.org_id, _ATTR.c.valid_from, _ATTR.c.value)
                                                      .where(_ATTR.c.attr == "name", _ATTR.c.org_id.in_(chunk))):
            history.setdefault(org, []).append((valid_from, value))
        for org, rows in history.items():
            rows.sort()
            names[org] = next((v for f, v in reversed(rows) if f <= day), rows[0][1])
    return names
