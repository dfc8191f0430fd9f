"""Amending a recorded meeting: the record is replaced, ``revision`` goes up, and MeetingRecorded is published
with that revision, so the rating consumer re-rates it (the existing revision mechanism)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import delete

from shared.auth import Principal, ensure_in_subtree
from shared.errors import NotFound, ValidationFailed
from shared.events import Attendance, MeetingRecorded
from shared.uow import UnitOfWork

from meetings import domain, orgs, usecases
from meetings.models import Meeting, MeetingAttendance


def amend(uow: UnitOfWork, principal: Principal, meeting_id: uuid.UUID, record: domain.MeetingRecord,
          today: date) -> int:
    """Replace the record (same cell); returns the new revision (unchanged when the record is identical)."""
    with uow:
        meeting = uow.session.get(Meeting, str(meeting_id))
        if meeting is None:
            raise NotFound("Không tìm thấy buổi sinh hoạt", "Meeting not found")
        ensure_in_subtree(principal, orgs.lineage_on(uow.session, meeting.organization_id, meeting.held_on))
        if str(record.organization_id) != meeting.organization_id:
            raise ValidationFailed.of("organization_id", "Không được chuyển biên bản sang chi bộ khác",
                                      "A meeting cannot be moved to another cell")
        if usecases._stored_record(uow, principal, meeting_id) == record.normalized():
            return meeting.revision
        usecases._check(uow, principal, record, today)
        meeting.held_on, meeting.kind, meeting.duration_minutes = record.held_on, record.kind, record.duration_minutes
        meeting.checklist, meeting.resolution = dict(record.checklist), record.normalized().resolution
        meeting.revision += 1
        uow.session.execute(delete(MeetingAttendance).where(MeetingAttendance.meeting_id == meeting.id))
        uow.session.add_all([MeetingAttendance(meeting_id=meeting.id, member_id=str(a.member_id), status=a.status,
                                               spoke=a.spoke, absence_reason=a.absence_reason)
                             for a in record.attendance])
        uow.publish(MeetingRecorded(
            meeting_id=meeting_id, organization_id=record.organization_id, held_on=record.held_on, kind=record.kind,
            duration_minutes=record.duration_minutes, checklist=record.checklist, revision=meeting.revision,
            actor=principal.username,
            attendance=tuple(Attendance(member_id=a.member_id, status=a.status, spoke=a.spoke,
                                        absence_reason=a.absence_reason) for a in record.attendance)))
        revision = meeting.revision
        uow.commit()
    return revision
