"""Write-side use cases: each is one transaction (UnitOfWork), events through the outbox."""
from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared.auth import Principal, ensure_in_subtree
from shared.consumer import Envelope
from shared.errors import ChiboError, FieldProblem, ValidationFailed
from shared.events import Attendance, MeetingRated, MeetingRecorded
from shared.inbox import claim
from shared.uow import UnitOfWork

from meetings import absences, domain, orgs, ratings, rubrics
from meetings import record as hd12
from meetings.models import Meeting, MeetingAttendance, Rubric, SupervisionVisit, inbox, outbox


def runtime_uow(runtime) -> UnitOfWork:
    """A unit of work on the service's engine that wakes the outbox relay after its commit (routes, consumers and
    background jobs alike)."""
    return UnitOfWork(runtime.engine, outbox, after_commit=runtime.notify_relay)


class MeetingIdTakenError(ChiboError):
    """409: a client-chosen meeting id already names a different record."""

    status_code = 409

    def __init__(self) -> None:
        super().__init__("Mã biên bản này đã được dùng cho một biên bản khác", "This meeting id is already used by "
                         "a different record", "id")


def record_meeting(uow: UnitOfWork, principal: Principal, record: domain.MeetingRecord, today: date,
                   meeting_id: uuid.UUID | None = None) -> tuple[uuid.UUID, bool]:
    """Store a held meeting once; returns (id, created). A retry with the same id and record returns it again."""
    meeting_id = meeting_id or uuid.uuid4()
    try:
        return _record_once(uow, principal, record, today, meeting_id)
    except IntegrityError:  # a concurrent request with the same id committed first: answer as a retry
        return _record_once(uow, principal, record, today, meeting_id)


def _record_once(uow: UnitOfWork, principal: Principal, record: domain.MeetingRecord, today: date,
                 meeting_id: uuid.UUID) -> tuple[uuid.UUID, bool]:
    """Validate, store and publish MeetingRecorded (revision 1), or recognise an identical earlier request."""
    with uow:
        if (stored := _stored_record(uow, principal, meeting_id)) is not None:
            if stored != record.normalized():
                raise MeetingIdTakenError()
            return meeting_id, False
        _check(uow, principal, record, today)
        _store(uow, meeting_id, record, principal.username)
        _log_upper_level(uow, meeting_id, record, principal.username)
        uow.publish(recorded_event(meeting_id, record, revision=1, actor=principal.username))
        uow.commit()
    return meeting_id, True


def recorded_event(meeting_id: uuid.UUID, record: domain.MeetingRecord, *, revision: int, actor: str) -> MeetingRecorded:
    """The MeetingRecorded of a record at a revision (first recording and amendments alike)."""
    return MeetingRecorded(
        meeting_id=meeting_id, organization_id=record.organization_id, held_on=record.held_on, kind=record.kind,
        duration_minutes=record.duration_minutes, checklist=record.checklist, revision=revision, actor=actor,
        upper_level_attended="upper_level" in record.details,
        attendance=tuple(Attendance(member_id=a.member_id, status=a.status, spoke=a.spoke,
                                    absence_reason=a.absence_reason) for a in record.attendance))


def _check(uow: UnitOfWork, principal: Principal, record: domain.MeetingRecord, today: date) -> None:
    cell = orgs.cell(uow.session, record.organization_id)
    if cell is not None:
        ensure_in_subtree(principal, orgs.lineage_on(uow.session, cell.id, record.held_on))
    try:
        domain.check_record(record, cell, orgs.roster_on(uow.session, record.organization_id, record.held_on), today)
        if problems := hd12.detail_problems(record) + _proposed_score_problems(uow, record):
            raise domain.RecordingRejectedError(problems)
    except domain.RecordingRejectedError as exc:
        raise ValidationFailed(*(FieldProblem(p.field, p.vi, p.en) for p in exc.problems)) from None


def _proposed_score_problems(uow: UnitOfWork, record: domain.MeetingRecord) -> list[domain.Problem]:
    """The committee's proposed score against the maximum of the rubric in force for the cell on the meeting date
    (none in force: nothing to check against; the rating consumer reports that)."""
    if record.details.get("proposed_score") is None:
        return []
    try:
        rubric = rubrics.in_force(uow.session, orgs.lineage_on(uow.session, record.organization_id, record.held_on),
                                  record.held_on)
    except rubrics.NoRubricError:
        return []
    return hd12.score_problems("proposed_score", record.details["proposed_score"], rubric.definition["max"])


def _stored_record(uow: UnitOfWork, principal: Principal, meeting_id: uuid.UUID) -> domain.MeetingRecord | None:
    """The record already stored under this id (normalized; after the subtree check), or None."""
    meeting = uow.session.get(Meeting, str(meeting_id))
    if meeting is None:
        return None
    ensure_in_subtree(principal, orgs.lineage_on(uow.session, meeting.organization_id, meeting.held_on))
    lines = uow.session.execute(select(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id)).scalars()
    return domain.MeetingRecord(
        organization_id=uuid.UUID(meeting.organization_id), held_on=meeting.held_on, kind=meeting.kind,
        duration_minutes=meeting.duration_minutes, checklist=dict(meeting.checklist), resolution=meeting.resolution,
        details=dict(meeting.details or {}),
        attendance=tuple(domain.AttendanceLine(uuid.UUID(a.member_id), a.status, a.spoke, a.absence_reason)
                         for a in lines)).normalized()


def _store(uow: UnitOfWork, meeting_id: uuid.UUID, record: domain.MeetingRecord, username: str) -> None:
    uow.session.add(Meeting(id=str(meeting_id), organization_id=str(record.organization_id), held_on=record.held_on,
                            kind=record.kind, duration_minutes=record.duration_minutes, checklist=record.checklist,
                            resolution=record.normalized().resolution, details=record.details or None,
                            recorded_by=username, recorded_at=datetime.now(timezone.utc)))
    uow.session.flush()
    uow.session.add_all([MeetingAttendance(meeting_id=str(meeting_id), member_id=str(a.member_id), status=a.status,
                                           spoke=a.spoke, absence_reason=a.absence_reason) for a in record.attendance])


def _log_upper_level(uow: UnitOfWork, meeting_id: uuid.UUID, record: domain.MeetingRecord, username: str) -> None:
    """The attending upper-level member, when named by account, counts as a supervision visit."""
    upper = record.details.get("upper_level")
    if upper and upper.get("username"):
        uow.session.add(SupervisionVisit(meeting_id=str(meeting_id), username=upper["username"],
                                         full_name=upper["full_name"], attended=True, remarks=upper.get("remarks"),
                                         logged_by=username, logged_at=datetime.now(timezone.utc)))


def project_member_events(uow: UnitOfWork, batch: Sequence[Envelope], consumer: str) -> int:
    """Apply a batch of member events to the tree and rosters once each; returns how many were new.

    A change dated on or before meetings already rated (a member admitted, transferred, exempted, away …;
    a cell moved) queues a re-rating job in the same transaction (ratings.run_jobs does it)."""
    with uow:
        fresh = claim(uow.session, inbox, consumer, batch)
        touched: dict[tuple[str, bool], date] = {}
        for envelope in fresh:
            for touch in orgs.apply(uow.session, envelope.event):
                key = (touch.organization_id, touch.subtree)
                touched[key] = min(touched.get(key, touch.since), touch.since)
        for (org_id, subtree), since in sorted(touched.items()):
            if subtree:
                ratings.enqueue(uow.session, "roster", since, scope_org_id=org_id)
            elif ratings.has_rated_meetings(uow.session, org_id, since):
                ratings.enqueue(uow.session, "roster", since, organization_ids=[org_id])
        uow.commit()
    return len(fresh)


def rate_recorded_meetings(uow: UnitOfWork, batch: Sequence[Envelope], consumer: str) -> list[MeetingRated]:
    """Rate a batch of recorded meetings under the rubric in force on each date; publish MeetingRated (and
    AbsenceLimitReached for members who reach a limit with this meeting)."""
    with uow:
        rated = []
        for envelope in claim(uow.session, inbox, consumer, batch):
            event = envelope.event
            if isinstance(event, MeetingRecorded) and (outcome := ratings.rate_recorded(uow.session, event)):
                uow.publish(outcome.event, correlation_id=envelope.correlation_id)
                alerts = absences.absence_alerts(uow.session, ratings.Sheet.of_event(event))
                uow.publish(*alerts, correlation_id=envelope.correlation_id)
                rated.append(outcome.event)
        uow.commit()
    return rated


def add_rubric(uow: UnitOfWork, definition: dict, effective_from: date, effective_to: date | None = None,
               scope_org_id: uuid.UUID | None = None) -> Rubric:
    """Store a new rubric version after checking it (items, groups and bands must add up)."""
    problems = domain.validate_rubric(definition)
    if effective_to is not None and effective_to < effective_from:
        problems.append("effective_to is before effective_from")
    if problems:
        raise domain.RubricError("; ".join(problems))
    with uow:
        rubric = Rubric(code=definition["code"], version=definition["version"], definition=definition,
                        scope_org_id=str(scope_org_id) if scope_org_id else None,
                        effective_from=effective_from, effective_to=effective_to, created_by="cli")
        uow.session.add(rubric)
        ratings.enqueue(uow.session, "rubric", effective_from, date_to=effective_to, scope_org_id=rubric.scope_org_id)
        uow.commit()
    return rubric
