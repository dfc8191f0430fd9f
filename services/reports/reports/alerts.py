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

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared import clock
from shared.events import AbsenceLimitReached, Event, RemovalReviewRaised
from reports.lifecycle import _keep_newest
from reports.models import AlertRule, MemberAlert

ALERT_EVENTS = (RemovalReviewRaised, AbsenceLimitReached)
KEYS = ("removal_reviews", "absence_limits", "overdue_probations")  # the figures' `alerts` lists
OPEN = date.max  # member_info.probation_until of a probation no decision has closed (member_facts.info)
_ALERT, _RULE = MemberAlert.__table__, AlertRule.__table__


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
