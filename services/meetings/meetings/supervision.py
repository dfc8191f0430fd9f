"""Upper-level supervision: a committee assigns its members (users) to attend given cells' meetings; they log
attendance and remarks on a meeting; the standing committee reads a monthly summary per supervisor."""
from __future__ import annotations

import calendar
import uuid
from dataclasses import dataclass, field
from datetime import date, datetime, timezone

from sqlalchemy import or_, select
from sqlmodel import Session

from shared.auth import Principal, ensure_in_subtree
from shared.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from shared.events import CELL_KINDS
from shared.uow import UnitOfWork

from meetings import orgs
from meetings.models import Meeting, Organization, SupervisionAssignment, SupervisionVisit


def _committee_in_subtree(session: Session, principal: Principal, committee_id: uuid.UUID, on: date) -> None:
    org = session.get(Organization, str(committee_id))
    if org is None or org.kind in CELL_KINDS:
        raise NotFound("Không tìm thấy cấp ủy", "Committee not found")
    ensure_in_subtree(principal, orgs.lineage_on(session, committee_id, on))


def assign(uow: UnitOfWork, principal: Principal, committee_id: uuid.UUID, username: str, full_name: str,
           cell_ids: list[uuid.UUID], valid_from: date, valid_to: date | None) -> list[SupervisionAssignment]:
    """Assign one supervisor to cells under the committee, over [valid_from, valid_to]."""
    with uow:
        _committee_in_subtree(uow.session, principal, committee_id, valid_from)
        problems = [] if valid_to is None or valid_to >= valid_from else [
            FieldProblem("valid_to", "Ngày kết thúc trước ngày bắt đầu", "valid_to is before valid_from")]
        for i, cell_id in enumerate(cell_ids):
            cell = orgs.cell(uow.session, cell_id)
            if cell is None or cell.kind not in CELL_KINDS or committee_id not in orgs.lineage_on(
                    uow.session, cell_id, valid_from):
                problems.append(FieldProblem(f"cell_ids.{i}", "Chi bộ này không thuộc cấp ủy phân công",
                                             "This cell is not under the assigning committee"))
        if problems:
            raise ValidationFailed(*problems)
        now = datetime.now(timezone.utc)
        rows = [SupervisionAssignment(committee_id=str(committee_id), cell_id=str(c), username=username,
                                      full_name=full_name, valid_from=valid_from, valid_to=valid_to,
                                      assigned_by=principal.username, assigned_at=now) for c in cell_ids]
        uow.session.add_all(rows)
        uow.commit()
    return rows


def assignments(session: Session, principal: Principal, committee_id: uuid.UUID,
                on: date) -> list[SupervisionAssignment]:
    _committee_in_subtree(session, principal, committee_id, on)
    return list(session.execute(select(SupervisionAssignment).where(
        SupervisionAssignment.committee_id == str(committee_id), SupervisionAssignment.valid_from <= on,
        or_(SupervisionAssignment.valid_to.is_(None), SupervisionAssignment.valid_to >= on))
        .order_by(SupervisionAssignment.username, SupervisionAssignment.cell_id)).scalars())


def _assigned_on(session: Session, username: str, cell_id: str, on: date) -> SupervisionAssignment | None:
    return session.execute(select(SupervisionAssignment).where(
        SupervisionAssignment.username == username, SupervisionAssignment.cell_id == cell_id,
        SupervisionAssignment.valid_from <= on,
        or_(SupervisionAssignment.valid_to.is_(None), SupervisionAssignment.valid_to >= on)).limit(1)).scalars().first()


def log_visit(uow: UnitOfWork, principal: Principal, meeting_id: uuid.UUID, attended: bool,
              remarks: str | None) -> SupervisionVisit:
    """The assigned supervisor logs their attendance and remarks on a meeting (again: the latest stands)."""
    with uow:
        meeting = uow.session.get(Meeting, str(meeting_id))
        if meeting is None:
            raise NotFound("Không tìm thấy buổi sinh hoạt", "Meeting not found")
        assignment = _assigned_on(uow.session, principal.username, meeting.organization_id, meeting.held_on)
        if assignment is None:
            raise Forbidden("Đồng chí không được phân công dự sinh hoạt chi bộ này",
                            "You are not assigned to attend this cell's meetings")
        visit = uow.session.merge(SupervisionVisit(
            meeting_id=meeting.id, username=principal.username, full_name=assignment.full_name, attended=attended,
            remarks=(remarks or "").strip() or None, logged_by=principal.username,
            logged_at=datetime.now(timezone.utc)))
        uow.commit()
    return visit


@dataclass
class SupervisorMonth:
    username: str
    full_name: str
    cells: list[uuid.UUID] = field(default_factory=list)
    meetings_assigned: int = 0
    meetings_attended: int = 0
    remarks: list[dict] = field(default_factory=list)
    not_attended: list[uuid.UUID] = field(default_factory=list)


def monthly_summary(session: Session, principal: Principal, committee_id: uuid.UUID,
                    year: int, month: int) -> list[SupervisorMonth]:
    """Per supervisor of the committee: meetings held in their assigned cells that month (while assigned),
    how many they attended, and their remarks."""
    first, last = date(year, month, 1), date(year, month, calendar.monthrange(year, month)[1])
    _committee_in_subtree(session, principal, committee_id, last)
    rows = session.execute(select(SupervisionAssignment).where(
        SupervisionAssignment.committee_id == str(committee_id), SupervisionAssignment.valid_from <= last,
        or_(SupervisionAssignment.valid_to.is_(None), SupervisionAssignment.valid_to >= first))).scalars().all()
    summary: dict[str, SupervisorMonth] = {}
    seen: set[tuple[str, str]] = set()  # overlapping assignments to one cell count its meetings once
    for a in sorted(rows, key=lambda r: (r.username, r.cell_id)):
        person = summary.setdefault(a.username, SupervisorMonth(a.username, a.full_name))
        if uuid.UUID(a.cell_id) not in person.cells:
            person.cells.append(uuid.UUID(a.cell_id))
        start, end = max(first, a.valid_from), min(last, a.valid_to or last)
        for meeting in session.execute(select(Meeting).where(Meeting.organization_id == a.cell_id,
                                                             Meeting.held_on.between(start, end))
                                       .order_by(Meeting.held_on, Meeting.id)).scalars():
            if (a.username, meeting.id) not in seen:
                seen.add((a.username, meeting.id))
                _count(session, person, meeting)
    return list(summary.values())


def _count(session: Session, person: SupervisorMonth, meeting: Meeting) -> None:
    person.meetings_assigned += 1
    visit = session.get(SupervisionVisit, (meeting.id, person.username))
    if visit is not None and visit.attended:
        person.meetings_attended += 1
    else:
        person.not_attended.append(uuid.UUID(meeting.id))
    if visit is not None and visit.remarks:
        person.remarks.append({"meeting_id": meeting.id, "organization_id": meeting.organization_id,
                               "held_on": meeting.held_on.isoformat(), "remarks": visit.remarks})
