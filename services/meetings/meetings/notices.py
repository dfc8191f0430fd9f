"""Scheduling a meeting and notifying its members at least a day ahead (HD 42/2025); rescheduling it (notified
again, again a day ahead, MeetingScheduled again under the same id) and cancelling it (members notified).

The in-app notice is written in the same transaction as the schedule and its MeetingScheduled event: it is the
record that members were notified. Other channels are pluggable ``NoticeSender``s called after the commit
(``LoggingSender`` today; e-mail and SMS adapters later implement the same protocol); their failures are
logged and never undo the schedule.
"""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, timedelta, timezone
from typing import Any, Protocol

from sqlalchemy import or_, select
from sqlmodel import Session

from shared import clock
from shared.auth import Principal
from shared.errors import ChiboError, FieldProblem, NotFound, ValidationFailed
from shared.events import MeetingScheduled
from shared.uow import UnitOfWork

from meetings import orgs
from meetings.minutes import KIND_TITLES
from meetings.models import MeetingSchedule, MemberAccount, Notice, SupervisionAssignment


@dataclass(frozen=True)
class NoticeMessage:
    """One notice to one person: a member (by member id) or a user (a supervisor, by username)."""

    schedule_id: uuid.UUID
    title: str
    body: str
    member_id: uuid.UUID | None = None
    username: str | None = None


class NoticeSender(Protocol):
    def send(self, message: NoticeMessage) -> None: ...


class InAppSender:
    """Writes the notice to the member's in-app list (inside the caller's transaction)."""

    def __init__(self, session: Session) -> None:
        self.session = session

    def send(self, message: NoticeMessage) -> None:
        self.session.add(Notice(id=str(uuid.uuid4()), member_id=str(message.member_id) if message.member_id else None,
                                username=message.username, schedule_id=str(message.schedule_id), title=message.title,
                                body=message.body, created_at=datetime.now(timezone.utc)))


class LoggingSender:
    """Logs each notice (the stand-in for e-mail and SMS, which will implement the same ``send``)."""

    def __init__(self, logger: Any) -> None:
        self.logger = logger

    def send(self, message: NoticeMessage) -> None:
        self.logger.info("notice.sent", schedule_id=str(message.schedule_id), title=message.title,
                         member_id=str(message.member_id) if message.member_id else None, username=message.username)


def external_senders(names: list[str], logger: Any) -> list[NoticeSender]:
    """The configured channels besides the in-app list."""
    known = {"log": lambda: LoggingSender(logger)}
    return [known[name]() for name in names]


@dataclass(frozen=True)
class ScheduleRequest:
    organization_id: uuid.UUID
    starts_at: datetime  # aware
    place: str
    kind: str
    agenda: tuple[str, ...] = ()
    materials: tuple[dict, ...] = ()  # {name, url}


class ScheduleClosedError(ChiboError):
    """The schedule was cancelled or its meeting has begun: it can no longer be changed (409)."""

    status_code = 409


def notice_problems(request: ScheduleRequest, now: datetime, min_notice: timedelta) -> list[FieldProblem]:
    """Members must be notified at least ``min_notice`` ahead, except for an extraordinary meeting."""
    if request.starts_at <= now:
        return [FieldProblem("starts_at", "Thời gian sinh hoạt phải ở tương lai", "The meeting must be in the future")]
    if request.kind != "extraordinary" and request.starts_at - now < min_notice:
        hours = int(min_notice.total_seconds() // 3600)
        return [FieldProblem("starts_at", f"Phải thông báo cho đảng viên ít nhất {hours} giờ trước buổi sinh hoạt "
                             "(HD 42/2025), trừ sinh hoạt bất thường",
                             f"Members must be notified at least {hours} hours before the meeting (HD 42/2025), "
                             "unless it is extraordinary")]
    return []


def schedule_meeting(uow: UnitOfWork, principal: Principal, request: ScheduleRequest, now: datetime,
                     min_notice: timedelta) -> tuple[MeetingSchedule, list[NoticeMessage]]:
    """Store the schedule, notify its members (and assigned supervisors) in-app, publish MeetingScheduled."""
    day = request.starts_at.astimezone(clock.TIMEZONE).date()
    with uow:
        orgs.cell_in_subtree(uow.session, principal, request.organization_id, day, field="organization_id")
        if problems := notice_problems(request, now, min_notice):
            raise ValidationFailed(*problems)
        schedule = MeetingSchedule(
            id=str(uuid.uuid4()), organization_id=str(request.organization_id), starts_at=request.starts_at,
            place=request.place, kind=request.kind, agenda=list(request.agenda), materials=list(request.materials),
            scheduled_by=principal.username, scheduled_at=now)
        uow.session.add(schedule)
        messages = _notify(uow.session, schedule, "Thông báo", _details(request))
        _publish(uow, schedule, principal)
        uow.commit()
    return schedule, messages


def reschedule(uow: UnitOfWork, principal: Principal, schedule_id: uuid.UUID, starts_at: datetime | None,
               place: str | None, now: datetime, min_notice: timedelta) -> tuple[MeetingSchedule, list[NoticeMessage]]:
    """Move a meeting to a new time or place: its members are notified again (at least ``min_notice`` ahead of the
    new time unless extraordinary) and MeetingScheduled is published again with the same meeting id."""
    with uow:
        schedule = _open_schedule(uow.session, principal, schedule_id, now)
        request = _request(schedule, starts_at=starts_at or aware(schedule.starts_at), place=place or schedule.place)
        if (request.starts_at, request.place) == (aware(schedule.starts_at), schedule.place):
            uow.commit()  # nothing changes: nobody is notified twice, nothing published
            return schedule, []
        orgs.cell_in_subtree(uow.session, principal, request.organization_id, _local(request.starts_at).date())
        if problems := notice_problems(request, now, min_notice):
            raise ValidationFailed(*problems)
        schedule.starts_at, schedule.place = request.starts_at, request.place
        schedule.revision += 1
        schedule.changed_by, schedule.changed_at = principal.username, now
        messages = _notify(uow.session, schedule, "Thay đổi lịch", _details(request))
        _publish(uow, schedule, principal)
        uow.commit()
    return schedule, messages


def cancel(uow: UnitOfWork, principal: Principal, schedule_id: uuid.UUID, reason: str,
           now: datetime) -> tuple[MeetingSchedule, list[NoticeMessage]]:
    """Cancel a scheduled meeting with a reason; its members (and assigned supervisors) are notified in-app.
    No event: the catalogue has no cancellation event (MeetingScheduled is the only schedule event)."""
    if not reason.strip():
        raise ValidationFailed(FieldProblem("reason", "Phải ghi lý do hủy buổi sinh hoạt",
                                            "A reason for the cancellation is required"))
    with uow:
        schedule = _open_schedule(uow.session, principal, schedule_id, now)
        schedule.cancelled_at, schedule.cancel_reason = now, reason.strip()
        schedule.changed_by, schedule.changed_at = principal.username, now
        local = _local(aware(schedule.starts_at))
        messages = _notify(uow.session, schedule, "Hủy", [
            f"Buổi sinh hoạt lúc {local.hour} giờ {local.minute:02d}, ngày {local:%d/%m/%Y} tại {schedule.place} "
            "đã bị hủy.", f"Lý do: {schedule.cancel_reason}"])
        uow.commit()
    return schedule, messages


def _open_schedule(session: Session, principal: Principal, schedule_id: uuid.UUID, now: datetime) -> MeetingSchedule:
    """The schedule, after the subtree check on its cell; 409 once cancelled or begun."""
    schedule = session.get(MeetingSchedule, str(schedule_id))
    if schedule is None:
        raise NotFound("Không tìm thấy lịch sinh hoạt", "Schedule not found")
    orgs.cell_in_subtree(session, principal, schedule.organization_id, _local(aware(schedule.starts_at)).date())
    if schedule.cancelled_at is not None:
        raise ScheduleClosedError("Buổi sinh hoạt này đã bị hủy", "This meeting has been cancelled")
    if aware(schedule.starts_at) <= now:
        raise ScheduleClosedError("Buổi sinh hoạt đã bắt đầu, không thay đổi được nữa",
                                  "The meeting has begun and can no longer be changed")
    return schedule


def _request(schedule: MeetingSchedule, **changes: Any) -> ScheduleRequest:
    return ScheduleRequest(organization_id=uuid.UUID(schedule.organization_id), kind=schedule.kind,
                           agenda=tuple(schedule.agenda), materials=tuple(schedule.materials),
                           **{"starts_at": aware(schedule.starts_at), "place": schedule.place, **changes})


def aware(value: datetime) -> datetime:
    """SQLite gives stored times back naive (they are UTC)."""
    return value if value.tzinfo else value.replace(tzinfo=timezone.utc)


def _local(value: datetime) -> datetime:
    return value.astimezone(clock.TIMEZONE)


def _details(request: ScheduleRequest) -> list[str]:
    local = _local(request.starts_at)
    lines = [f"Thời gian: {local.hour} giờ {local.minute:02d}, ngày {local:%d/%m/%Y}.", f"Địa điểm: {request.place}."]
    lines += [f"Nội dung {i}: {item}" for i, item in enumerate(request.agenda, 1)]
    return lines + [f"Tài liệu: {m['name']}" + (f" ({m['url']})" if m.get("url") else "") for m in request.materials]


def _publish(uow: UnitOfWork, schedule: MeetingSchedule, principal: Principal) -> None:
    request = _request(schedule)
    uow.publish(MeetingScheduled(meeting_id=uuid.UUID(schedule.id), organization_id=request.organization_id,
                                 starts_at=request.starts_at, place=request.place, kind=request.kind,
                                 agenda=request.agenda, actor=principal.username))


def _notify(session: Session, schedule: MeetingSchedule, action: str, lines: list[str]) -> list[NoticeMessage]:
    """One in-app notice per member on the cell's roster on the meeting day and per supervisor assigned then
    (written in the caller's transaction); returns the messages for the other channels."""
    local = _local(aware(schedule.starts_at))
    kind = KIND_TITLES.get(schedule.kind, schedule.kind).lower()
    title = f"{action} {kind} ngày {local:%d/%m/%Y}"
    body, schedule_id, day = "\n".join(lines), uuid.UUID(schedule.id), local.date()
    messages = [NoticeMessage(schedule_id, title, body, member_id=m.member_id)
                for m in orgs.roster_on(session, schedule.organization_id, day)]
    supervisors = session.execute(select(SupervisionAssignment.username).where(
        SupervisionAssignment.cell_id == schedule.organization_id, SupervisionAssignment.valid_from <= day,
        or_(SupervisionAssignment.valid_to.is_(None), SupervisionAssignment.valid_to >= day))
        .distinct()).scalars()
    messages += [NoticeMessage(schedule_id, title, body, username=u) for u in supervisors]
    in_app = InAppSender(session)
    for message in messages:
        in_app.send(message)
    return messages


def send_elsewhere(senders: list[NoticeSender], messages: list[NoticeMessage], logger: Any) -> None:
    """After the commit: the other channels; a failing channel is logged, the in-app notice stands."""
    for sender in senders:
        for message in messages:
            try:
                sender.send(message)
            except Exception as exc:
                logger.warning("notice.send_failed", sender=type(sender).__name__, error=repr(exc))


def link_account(uow: UnitOfWork, principal: Principal, cell_id: uuid.UUID, username: str, member_id: uuid.UUID,
                 today: date) -> None:
    """Say which member a user account is (member events carry no username): the member must be on the roster."""
    with uow:
        orgs.cell_in_subtree(uow.session, principal, cell_id, today)
        if member_id not in {m.member_id for m in orgs.roster_on(uow.session, cell_id, today)}:
            raise ValidationFailed(FieldProblem("member_id", "Đảng viên này không có trong danh sách chi bộ hôm nay",
                                                "This member is not on the cell's roster today"))
        uow.session.merge(MemberAccount(username=username, member_id=str(member_id), linked_by=principal.username,
                                        linked_at=datetime.now(timezone.utc)))
        uow.commit()


def my_notices(session: Session, principal: Principal, unread_only: bool = False) -> list[Notice]:
    """The caller's notices, newest first: addressed to their username or to the member their account is."""
    query = select(Notice).where(_mine(session, principal))
    if unread_only:
        query = query.where(Notice.read_at.is_(None))
    return list(session.execute(query.order_by(Notice.created_at.desc(), Notice.id)).scalars())


def mark_read(uow: UnitOfWork, principal: Principal, notice_id: uuid.UUID) -> Notice:
    with uow:
        notice = uow.session.execute(select(Notice).where(Notice.id == str(notice_id), _mine(uow.session, principal))
                                     ).scalar_one_or_none()
        if notice is None:  # someone else's notice is as unknown as a missing one
            raise NotFound("Không tìm thấy thông báo", "Notice not found")
        notice.read_at = notice.read_at or datetime.now(timezone.utc)
        uow.commit()
    return notice


def _mine(session: Session, principal: Principal):
    member = session.get(MemberAccount, principal.username)
    return or_(Notice.username == principal.username,
               Notice.member_id == member.member_id) if member else Notice.username == principal.username


def schedules(session: Session, principal: Principal, cell_id: uuid.UUID, since: datetime) -> list[MeetingSchedule]:
    orgs.cell_in_subtree(session, principal, cell_id, since.date())
    return list(session.execute(select(MeetingSchedule).where(
        MeetingSchedule.organization_id == str(cell_id), MeetingSchedule.starts_at >= since)
        .order_by(MeetingSchedule.starts_at)).scalars())
