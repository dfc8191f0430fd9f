"""HTTP routes of the meeting record's companions: minutes (DOCX/PDF), schedules and notices, obligations,
upper-level supervision. Thin: use cases in obligations.py, notices.py, supervision.py; documents in minutes.py."""
from __future__ import annotations

import uuid
from dataclasses import asdict
from datetime import date, datetime, timedelta, timezone
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import Response
from sqlmodel import Session

from shared import clock
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.errors import ValidationFailed
from shared.uow import UnitOfWork

from meetings import minutes, notices, obligations, orgs, supervision, views
from meetings.api import DB, Today, _uow
from meetings.schemas import (CloseIn, CloseOut, ClosureOut, CommitteeFlagIn, CommitteeFlagOut, CommitteeMeetingIn,
                              CreatedOut)
from meetings.schemas import AccountLinkIn, CancelIn, MaterialIn, NoticeOut, ScheduleChangeIn, ScheduleIn, ScheduleOut
from meetings.schemas import AssignmentIn, AssignmentOut, SupervisorMonthOut, VisitIn, VisitOut

router = APIRouter(prefix="/meetings/api", tags=["meeting record"])
MinutesReader = Annotated[Principal, Depends(require_roles("province", "committee", "secretary"))]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _minutes(session: Session, principal: Principal, meeting_id: uuid.UUID) -> minutes.Minutes:
    meeting = views.get_meeting(session, principal, meeting_id)  # 404, then the subtree check (403)
    lineage = orgs.lineage_on(session, meeting.organization_id, meeting.held_on)
    cell = orgs.cell(session, meeting.organization_id)
    ancestors = [c.name for c in (orgs.cell(session, i) for i in lineage[1:]) if c is not None]
    names = {m.member_id: m.full_name for m in orgs.roster_on(session, meeting.organization_id, meeting.held_on)}
    return minutes.compose(meeting, cell.name if cell else "", ancestors, names)


def _attachment(content: bytes, media_type: str, meeting_id: uuid.UUID, ext: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="bien-ban-{meeting_id}.{ext}"'})


@router.get("/meetings/{meeting_id}/minutes.docx", response_class=Response,
            responses={200: {"content": {DOCX: {}}, "description": "Biên bản (Word)"}})
def minutes_docx(meeting_id: uuid.UUID, principal: MinutesReader, db: DB) -> Response:
    """The minutes (biên bản) generated from the record, as a Word document."""
    return _attachment(minutes.to_docx(_minutes(db, principal, meeting_id)), DOCX, meeting_id, "docx")


@router.get("/meetings/{meeting_id}/minutes.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "Biên bản (PDF)"}})
def minutes_pdf(meeting_id: uuid.UUID, principal: MinutesReader, db: DB) -> Response:
    """The minutes (biên bản) generated from the record, as PDF (DejaVu Sans)."""
    return _attachment(minutes.to_pdf(_minutes(db, principal, meeting_id)), "application/pdf", meeting_id, "pdf")


# --- Obligations (issue 4 item 1) ---
Operator = Annotated[Principal, Depends(require_roles("province"))]
Upper = Annotated[Principal, Depends(require_roles("province", "committee", "secretary"))]
UoW = Annotated[UnitOfWork, Depends(_uow)]


@router.post("/obligations/close", response_model=CloseOut)
def close_periods(body: CloseIn, principal: Operator, uow: UoW, today: Today) -> CloseOut:
    """Close every obligation period ending on or before ``until`` (idempotent; the sweep does it daily)."""
    closed = obligations.close_periods(uow, body.until, today)
    return CloseOut(until=body.until, closed=len(closed), missed=sum(1 for e in closed if not e.met))


@router.get("/cells/{cell_id}/obligations", response_model=list[ClosureOut])
def cell_obligations(cell_id: uuid.UUID, principal: CurrentPrincipal, db: DB, year: int) -> list[ClosureOut]:
    """A cell's closed periods in a year; ``met`` False is a missed required meeting."""
    return [ClosureOut.model_validate(c, from_attributes=True)
            for c in obligations.closures(db, principal, cell_id, year)]


@router.put("/cells/{cell_id}/committee", response_model=CommitteeFlagOut)
def set_committee_flag(cell_id: uuid.UUID, body: CommitteeFlagIn, principal: Upper, uow: UoW, db: DB,
                       today: Today) -> CommitteeFlagOut:
    """Say whether the cell has a cell committee (chi ủy) from a date: it then owes a monthly committee meeting."""
    obligations.set_committee_flag(uow, principal, cell_id, body.has_committee, body.valid_from, today)
    return CommitteeFlagOut(**obligations.committee_flag_on(db, principal, cell_id, body.valid_from))


@router.get("/cells/{cell_id}/committee", response_model=CommitteeFlagOut)
def committee_flag(cell_id: uuid.UUID, principal: CurrentPrincipal, db: DB, today: Today,
                   on: date | None = None) -> CommitteeFlagOut:
    """Whether the cell has a cell committee on a date (set, or by default from its official members)."""
    return CommitteeFlagOut(**obligations.committee_flag_on(db, principal, cell_id, on or today))


@router.post("/cells/{cell_id}/committee-meetings", response_model=CreatedOut, status_code=201)
def record_committee_meeting(cell_id: uuid.UUID, body: CommitteeMeetingIn, principal: Upper, uow: UoW,
                             today: Today) -> CreatedOut:
    """Record a cell-committee (chi ủy) meeting: it meets that month's committee obligation."""
    return CreatedOut(id=obligations.record_committee_meeting(uow, principal, cell_id, body.held_on,
                                                               body.duration_minutes, body.note, today))


# --- Scheduling and notices (issue 4 item 2) ---
def _now() -> datetime:
    return datetime.now(timezone.utc)


Now = Annotated[datetime, Depends(_now)]


def _utc(value: datetime) -> datetime:
    """Aware UTC (naive input is Vietnam's local time); SQLite gives stored values back naive, in UTC."""
    return (value if value.tzinfo else value.replace(tzinfo=clock.TIMEZONE)).astimezone(timezone.utc)


def _schedule_out(s, notified: int | None = None) -> ScheduleOut:
    cancelled_at = notices.aware(s.cancelled_at) if s.cancelled_at else None
    return ScheduleOut(id=s.id, organization_id=s.organization_id, starts_at=notices.aware(s.starts_at), place=s.place,
                       kind=s.kind, agenda=s.agenda, materials=[MaterialIn(**m) for m in s.materials],
                       scheduled_by=s.scheduled_by, revision=s.revision, cancelled_at=cancelled_at,
                       cancel_reason=s.cancel_reason, notified=notified)


def senders(request: Request) -> list[notices.NoticeSender]:
    """The channels besides the in-app list (``app.state.notice_senders``, set up in create_app)."""
    return getattr(request.app.state, "notice_senders", [])


def _sent(request: Request, schedule, messages: list[notices.NoticeMessage]) -> ScheduleOut:
    """After the commit: the other channels (a failing one is logged), then the schedule with how many were told."""
    notices.send_elsewhere(senders(request), messages, request.app.state.runtime.logger)
    return _schedule_out(schedule, len(messages))


@router.post("/schedules", response_model=ScheduleOut, status_code=201)
def schedule_meeting(body: ScheduleIn, principal: Upper, uow: UoW, request: Request, now: Now) -> ScheduleOut:
    """Schedule a meeting and notify the cell's members (and assigned supervisors) at least a day ahead."""
    settings = request.app.state.settings
    schedule, messages = notices.schedule_meeting(uow, principal, notices.ScheduleRequest(
        organization_id=body.organization_id, starts_at=_utc(body.starts_at), place=body.place.strip(),
        kind=body.kind, agenda=tuple(a.strip() for a in body.agenda),
        materials=tuple(m.model_dump(exclude_none=True) for m in body.materials)),
        now, timedelta(hours=settings.notice_min_hours))
    return _sent(request, schedule, messages)


@router.patch("/schedules/{schedule_id}", response_model=ScheduleOut)
def reschedule_meeting(schedule_id: uuid.UUID, body: ScheduleChangeIn, principal: Upper, uow: UoW, request: Request,
                       now: Now) -> ScheduleOut:
    """Move a scheduled meeting (new time and/or place): members notified again, at least a day ahead unless
    extraordinary; MeetingScheduled published again with the same meeting id."""
    if body.starts_at is None and body.place is None:
        raise ValidationFailed.of("starts_at", "Phải đổi thời gian hoặc địa điểm", "Give a new time or place")
    schedule, messages = notices.reschedule(
        uow, principal, schedule_id, _utc(body.starts_at) if body.starts_at else None,
        body.place.strip() if body.place else None, now,
        timedelta(hours=request.app.state.settings.notice_min_hours))
    return _sent(request, schedule, messages)


@router.post("/schedules/{schedule_id}/cancel", response_model=ScheduleOut)
def cancel_meeting(schedule_id: uuid.UUID, body: CancelIn, principal: Upper, uow: UoW, request: Request,
                   now: Now) -> ScheduleOut:
    """Cancel a scheduled meeting with a reason; members (and assigned supervisors) are notified."""
    schedule, messages = notices.cancel(uow, principal, schedule_id, body.reason, now)
    return _sent(request, schedule, messages)


@router.get("/cells/{cell_id}/schedules", response_model=list[ScheduleOut])
def cell_schedules(cell_id: uuid.UUID, principal: CurrentPrincipal, db: DB, now: Now,
                   since: datetime | None = None) -> list[ScheduleOut]:
    """A cell's scheduled meetings from a moment on (default: now), soonest first."""
    return [_schedule_out(s) for s in notices.schedules(db, principal, cell_id, since or now)]


@router.get("/notices/mine", response_model=list[NoticeOut])
def my_notices(principal: CurrentPrincipal, db: DB, unread: bool = False) -> list[NoticeOut]:
    """The caller's in-app notices, newest first (as a member through the linked account, or by username)."""
    return [NoticeOut.model_validate(n, from_attributes=True) for n in notices.my_notices(db, principal, unread)]


@router.post("/notices/{notice_id}/read", response_model=NoticeOut)
def mark_notice_read(notice_id: uuid.UUID, principal: CurrentPrincipal, uow: UoW) -> NoticeOut:
    """Mark one of the caller's notices read (another's is 404)."""
    return NoticeOut.model_validate(notices.mark_read(uow, principal, notice_id), from_attributes=True)


@router.put("/cells/{cell_id}/accounts/{username}", status_code=204)
def link_account(cell_id: uuid.UUID, username: str, body: AccountLinkIn, principal: Upper, uow: UoW,
                 today: Today) -> Response:
    """Say which member of the cell a user account is, so the member sees their notices."""
    notices.link_account(uow, principal, cell_id, username, body.member_id, today)
    return Response(status_code=204)


# --- Upper-level supervision (issue 4 item 6) ---
Committee = Annotated[Principal, Depends(require_roles("province", "committee"))]


@router.post("/committees/{committee_id}/supervisors", response_model=list[AssignmentOut], status_code=201)
def assign_supervisor(committee_id: uuid.UUID, body: AssignmentIn, principal: Committee,
                      uow: UoW) -> list[AssignmentOut]:
    """Assign a committee member (a user) to attend the given cells' meetings."""
    rows = supervision.assign(uow, principal, committee_id, body.username.strip(), body.full_name.strip(),
                              body.cell_ids, body.valid_from, body.valid_to)
    return [AssignmentOut.model_validate(r, from_attributes=True) for r in rows]


@router.get("/committees/{committee_id}/supervisors", response_model=list[AssignmentOut])
def list_supervisors(committee_id: uuid.UUID, principal: Committee, db: DB, today: Today,
                     on: date | None = None) -> list[AssignmentOut]:
    """The committee's supervision assignments in force on a date (default: today)."""
    return [AssignmentOut.model_validate(r, from_attributes=True)
            for r in supervision.assignments(db, principal, committee_id, on or today)]


@router.put("/meetings/{meeting_id}/supervision", response_model=VisitOut)
def log_supervision(meeting_id: uuid.UUID, body: VisitIn, principal: Committee, uow: UoW) -> VisitOut:
    """The assigned supervisor logs whether they attended the meeting and their remarks."""
    return VisitOut.model_validate(supervision.log_visit(uow, principal, meeting_id, body.attended, body.remarks),
                                   from_attributes=True)


@router.get("/committees/{committee_id}/supervision-summary", response_model=list[SupervisorMonthOut])
def supervision_summary(committee_id: uuid.UUID, principal: Committee, db: DB,
                        month: Annotated[str, Query(pattern=r"^\d{4}-(0[1-9]|1[0-2])$", description="YYYY-MM")]
                        ) -> list[SupervisorMonthOut]:
    """For the standing committee: per supervisor, the month's assigned meetings, attended, remarks."""
    year, number = (int(p) for p in month.split("-"))
    return [SupervisorMonthOut.model_validate(asdict(s))
            for s in supervision.monthly_summary(db, principal, committee_id, year, number)]
