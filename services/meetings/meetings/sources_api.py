"""Read-only source records for the reports' consistency check: the meetings held in a subtree (today's tree)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from sqlmodel import Session, select

from meetings import orgs
from meetings.models import Meeting, MeetingAttendance, MeetingRating
from shared.auth import Principal, ensure_in_subtree, require_roles

router = APIRouter(prefix="/meetings/api/sources", tags=["sources"])
Reader = Annotated[Principal, Depends(require_roles("province", "committee"))]


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.runtime.engine) as session:
        yield session


@router.get("/meetings")
def meetings(org_id: uuid.UUID, principal: Reader, session: Annotated[Session, Depends(_session)],
             start: Annotated[date, Query(alias="from")], end: Annotated[date, Query(alias="to")]) -> dict:
    """Meetings held from..to in the subtree: date, kind, attendance counts and the current rating's level."""
    today = date.today()
    ensure_in_subtree(principal, orgs.lineage_on(session, org_id, today))
    cells = orgs.subtree_on(session, org_id, today)
    held = session.exec(select(Meeting).where(Meeting.organization_id.in_(cells),
                                              Meeting.held_on >= start, Meeting.held_on <= end)).all()
    ids = [m.id for m in held]
    ratings: dict[str, MeetingRating] = {}
    for r in session.exec(select(MeetingRating).where(MeetingRating.meeting_id.in_(ids))).all():
        if r.meeting_id not in ratings or r.revision > ratings[r.meeting_id].revision:
            ratings[r.meeting_id] = r
    attendance: dict[str, list[MeetingAttendance]] = {}
    for a in session.exec(select(MeetingAttendance).where(MeetingAttendance.meeting_id.in_(ids))).all():
        attendance.setdefault(a.meeting_id, []).append(a)
    return {"meetings": [_record(m, ratings.get(m.id), attendance.get(m.id, [])) for m in held]}


def _record(m: Meeting, rating: MeetingRating | None, people: list[MeetingAttendance]) -> dict:
    """Counts of the current rating when rated; until then from the attendance list (exempt outside)."""
    statuses = [a.status for a in people]
    counts = {"present": statuses.count("present"), "expected": len(statuses) - statuses.count("exempt"),
              "speakers": sum(a.spoke for a in people)}
    if rating is not None:
        counts = {"present": rating.present, "expected": rating.expected, "speakers": rating.speakers}
    return {"meeting_id": m.id, "organization_id": m.organization_id, "held_on": m.held_on, "kind": m.kind,
            "level": rating.level if rating else None, **counts}
