"""Read side: meetings, rosters and rubrics as the API shows them, after the subtree check."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from shared.auth import Principal, ensure_in_subtree
from shared.errors import NotFound
from shared.events import CELL_KINDS

from meetings import orgs, rubrics
from meetings.models import Meeting, MeetingAttendance, MeetingRating, Organization
from meetings.schemas import AttendanceIn, CellOut, MeetingOut, RatingOut, RosterMemberOut, RosterOut, RubricOut

MAX_LIST = 1000


def get_meeting(session: Session, principal: Principal, meeting_id: uuid.UUID) -> MeetingOut:
    meeting = session.get(Meeting, str(meeting_id))
    if meeting is None:
        raise NotFound("Không tìm thấy buổi sinh hoạt", "Meeting not found")
    ensure_in_subtree(principal, orgs.lineage_on(session, meeting.organization_id, meeting.held_on))
    return _meetings_out(session, [meeting])[0]


def list_meetings(session: Session, principal: Principal, org_id: uuid.UUID | None,
                  since: date | None, until: date | None, today: date) -> list[MeetingOut]:
    """Meetings of an organization and everything under it (default: the caller's), newest first."""
    org_id = org_id or principal.org_id
    ensure_in_subtree(principal, orgs.lineage_on(session, org_id, today))
    query = select(Meeting).where(Meeting.organization_id.in_(orgs.subtree_on(session, org_id, today)))
    if since:
        query = query.where(Meeting.held_on >= since)
    if until:
        query = query.where(Meeting.held_on <= until)
    rows = session.execute(query.order_by(Meeting.held_on.desc(), Meeting.id).limit(MAX_LIST)).scalars().all()
    return _meetings_out(session, list(rows))


def roster(session: Session, principal: Principal, cell_id: uuid.UUID, on: date) -> RosterOut:
    if orgs.cell(session, cell_id) is None:
        raise NotFound("Không tìm thấy chi bộ", "Cell not found")
    ensure_in_subtree(principal, orgs.lineage_on(session, cell_id, on))
    members = [RosterMemberOut(member_id=m.member_id, full_name=m.full_name, status=m.status,
                               standing=m.standing)
               for m in orgs.roster_on(session, cell_id, on)]
    return RosterOut(organization_id=cell_id, on=on, members=members)


def list_rubrics(session: Session) -> list[RubricOut]:
    return [RubricOut.model_validate(r, from_attributes=True) for r in rubrics.all_rubrics(session)]


def rubric_in_force(session: Session, principal: Principal, org_id: uuid.UUID, on: date) -> list[RubricOut]:
    """The rubric that would rate a meeting of this organization on this date (empty list if none)."""
    lineage = orgs.lineage_on(session, org_id, on)
    ensure_in_subtree(principal, lineage)
    try:
        return [RubricOut.model_validate(rubrics.in_force(session, lineage, on), from_attributes=True)]
    except rubrics.NoRubricError:
        return []


def cells_in_subtree(session: Session, principal: Principal, today: date) -> list[CellOut]:
    """Cells under (or equal to) the caller's organization today, by name."""
    ids = orgs.subtree_on(session, principal.org_id, today)
    rows = session.execute(select(Organization).where(Organization.id.in_(ids), Organization.kind.in_(CELL_KINDS))
                           .order_by(Organization.name)).scalars()
    return [CellOut(id=o.id, name=o.name, kind=o.kind) for o in rows]


def _meetings_out(session: Session, meetings: list[Meeting]) -> list[MeetingOut]:
    """Meetings with their attendance and latest rating (two queries, whatever the count)."""
    ids = [m.id for m in meetings]
    attendance: dict[str, list[AttendanceIn]] = {i: [] for i in ids}
    for row in session.execute(select(MeetingAttendance).where(MeetingAttendance.meeting_id.in_(ids))
                               .order_by(MeetingAttendance.member_id)).scalars():
        attendance[row.meeting_id].append(AttendanceIn.model_validate(row, from_attributes=True))
    ratings: dict[str, RatingOut] = {}
    for row in session.execute(select(MeetingRating).where(MeetingRating.meeting_id.in_(ids))
                               .order_by(MeetingRating.revision)).scalars():
        ratings[row.meeting_id] = RatingOut.model_validate(row, from_attributes=True)  # highest revision wins
    return [MeetingOut(
        id=m.id, organization_id=m.organization_id, held_on=m.held_on, kind=m.kind, checklist=m.checklist,
        resolution=m.resolution, duration_minutes=m.duration_minutes, status=m.status, revision=m.revision,
        recorded_by=m.recorded_by,
        recorded_at=m.recorded_at, attendance=attendance[m.id], rating=ratings.get(m.id)) for m in meetings]
