"""Project member, fee and grade events (in the caller's transaction; the inbox already filtered
duplicates). Every table here is order-independent:
- the roll (member_span) is refolded from the member's stored roll events each time one arrives, and the roll
  counters (roll_month) get the new spans' month deltas minus the old ones' (roll_months.py);
Change rows (keyed by event id), obligations (the latest closing, occurred_at), fee sheets (a cell-month's
highest revision, its lines replacing the previous revision's) and grades (the latest decision: decided_on,
then occurred_at) are stored by counters.py with the paths their counters are rolled along.
"""
from __future__ import annotations

from collections.abc import Callable, Sequence
from datetime import date, timezone

from sqlalchemy import delete, select, tuple_
from sqlalchemy.orm import Session

from shared.events import (BadgeAwarded, Event, FeesRecorded, MeetingObligationClosed, MemberExempted, MemberGraded,
                           MemberTemporarilyTransferred, OrganizationGraded, PartyCardIssued, decode)
from reports import member_facts, roll_months
from reports.models import MemberEvent, MemberInfo, MemberSpan
from reports.upsert import upsert

MEMBER_EVENTS = (*member_facts.ROLL_EVENTS, MemberTemporarilyTransferred, PartyCardIssued, BadgeAwarded, MemberExempted)
GRADE_EVENTS = (MemberGraded, OrganizationGraded)
LEDGER_EVENTS = (MeetingObligationClosed, FeesRecorded, *GRADE_EVENTS)
_EVENT, _SPAN, _INFO = MemberEvent.__table__, MemberSpan.__table__, MemberInfo.__table__


def apply(session: Session, events: Sequence[Event]) -> None:
    _members(session, [e for e in events if isinstance(e, MEMBER_EVENTS)])


_DAY = ("effective_from", "period_end", "month", "decided_on")
_ORGS = ("organization_id", "from_organization_id", "to_organization_id", "home_organization_id")


def touched(events: Sequence[Event]) -> set[tuple[str, date]]:
    """(cell, day) of each member, obligation, fee or grade event: the live dashboards of the cell's lineage
    are told their figures changed (the pushed payload says which org and period to read again)."""
    out: set[tuple[str, date]] = set()
    for e in events:
        if isinstance(e, (*MEMBER_EVENTS, *LEDGER_EVENTS)):
            day = next(getattr(e, a) for a in _DAY if getattr(e, a, None) is not None)
            out.update((str(getattr(e, a)), day) for a in _ORGS if getattr(e, a, None) is not None)
    return out


def _members(session: Session, events: list[Event]) -> None:
    rolled = [e for e in events if isinstance(e, member_facts.ROLL_EVENTS)]
    upsert(session, _EVENT, [{"event_id": str(e.event_id), "member_id": str(e.member_id), "subject": e.subject,
                              "payload": e.model_dump_json()} for e in rolled], ["event_id"], "ignore")
    members = sorted({str(e.member_id) for e in rolled})
    roll: roll_months.Deltas = {}
    for start in range(0, len(members), 500):
        chunk = members[start:start + 500]
        stored: dict[str, list[Event]] = {m: [] for m in chunk}
        for member, subject, payload in session.execute(
                select(_EVENT.c.member_id, _EVENT.c.subject, _EVENT.c.payload).where(_EVENT.c.member_id.in_(chunk))):
            stored[member].append(decode(subject, payload.encode()))
        old = [dict(r) for r in session.execute(select(_SPAN).where(_SPAN.c.member_id.in_(chunk))).mappings()]
        session.execute(delete(_SPAN).where(_SPAN.c.member_id.in_(chunk)))
        folded = {member: member_facts.spans(member, history) for member, history in stored.items()}
        rows = [row for member_rows in folded.values() for row in member_rows]
        context = roll_months.Context(session, {r["org_id"] for r in (*old, *rows)})
        context.deltas(rows, 1, context.deltas(old, -1, roll))  # the roll counters: old spans out, new in
        upsert(session, _SPAN, rows, ["member_id", "valid_from"])
        upsert(session, _INFO, [{**member_facts.info(member, history), **member_facts.roll_place(folded[member])}
                                for member, history in stored.items() if history],
               ["member_id"])  # name, probation and roll place, for the alerts
    roll_months.write(session, roll)  # summed over the batch: one additive upsert


def _keep_newest(session: Session, table, keys: tuple[str, ...], rank: Callable[[dict], object],
                 rows: list[dict]) -> None:
    best: dict[tuple, dict] = {}
    for row in rows:
        key = tuple(row[k] for k in keys)
        if key not in best or rank(row) > rank(best[key]):
            best[key] = row
    if not best:
        return
    columns = [table.c[k] for k in keys]
    stored = {tuple(r[k] for k in keys): r for r in session.execute(
        select(table).where(tuple_(*columns).in_(list(best)))).mappings()}
    newer = [row for key, row in best.items() if key not in stored or rank(row) > rank(_aware(stored[key]))]
    upsert(session, table, newer, keys)


def _aware(row) -> dict:
    """SQLite hands back naive datetimes; the events' are UTC."""
    out = dict(row)
    at = out.get("occurred_at")
    if at is not None and at.tzinfo is None:
        out["occurred_at"] = at.replace(tzinfo=timezone.utc)
    return out


def _obligation_row(e: MeetingObligationClosed) -> dict:
    return {"org_id": str(e.organization_id), "obligation": e.obligation, "period_start": e.period_start,
            "period_end": e.period_end, "met": e.met, "occurred_at": e.occurred_at}


def grade_row(e: MemberGraded | OrganizationGraded) -> dict:
    member = isinstance(e, MemberGraded)
    return {"subject_kind": "member" if member else "organization",
            "subject_id": str(e.member_id if member else e.organization_id), "year": e.year,
            "org_id": str(e.organization_id), "level": e.level, "decided_on": e.decided_on, "occurred_at": e.occurred_at}
