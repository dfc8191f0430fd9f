"""Required meetings: the cell-committee flag, committee (chi ủy) meetings, and closing periods.

Closing is idempotent and happens exactly once per (cell, obligation, period): the row in
``obligation_closure`` and its MeetingObligationClosed commit together (one transaction per cell), and the
row's key refuses a second closure. A meeting recorded after its period was closed does not reopen it: the
closure is the fact the committees above acted on; the late meeting is still listed and rated.
"""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError

from shared.auth import Principal
from shared.errors import FieldProblem, ValidationFailed
from shared.events import CELL_KINDS, MeetingObligationClosed
from shared.uow import UnitOfWork

from meetings import domain, orgs
from meetings import obligation_rules as rules
from meetings.models import (CellCommitteeFlag, CommitteeMeeting, Meeting, ObligationClosure, ObligationRule,
                             Organization)

ACTOR = "meetings-obligations"


def close_periods(uow: UnitOfWork, until: date, today: date) -> list[MeetingObligationClosed]:
    """Close every period ending on or before ``until`` that is not closed yet; returns the new closures."""
    if rules.check_until(until, today):
        raise ValidationFailed(FieldProblem("until", "Chỉ khóa được kỳ đã kết thúc (trước ngày hôm nay)",
                                            "Only periods that have ended (before today) can be closed"))
    with uow:
        cells = uow.session.execute(select(Organization).where(Organization.kind.in_(CELL_KINDS))
                                    .order_by(Organization.id)).scalars().all()
        obligation_rules = uow.session.execute(select(ObligationRule).order_by(ObligationRule.id)).scalars().all()
        dissolved = orgs.dissolutions(uow.session)
        uow.session.expunge_all()  # read-only here: keep them loaded past the unit of work's rollback
    closed = []
    for cell in cells:
        try:
            closed += _close_cell(uow, cell, obligation_rules, until, dissolved.get(cell.id))
        except IntegrityError:  # another sweep closed this cell's periods first: its closures stand
            continue
    return closed


def _close_cell(uow: UnitOfWork, cell: Organization, obligation_rules: list[ObligationRule],
                until: date, dissolved_from: date | None) -> list[MeetingObligationClosed]:
    with uow:
        session, events = uow.session, []
        done = {(obligation, start) for obligation, start in session.execute(
            select(ObligationClosure.obligation, ObligationClosure.period_start)
            .where(ObligationClosure.organization_id == cell.id))}
        for rule in obligation_rules:
            start = max(rule.effective_from, cell.created_from)
            for period in rules.closable_periods(rule.definition["period"], start, until, rule.effective_to,
                                                 dissolved_from):
                if (rule.obligation, period.start) in done or not _binds(session, cell.id, rule, period):
                    continue
                meeting_id = _meeting_that_met(session, cell.id, rule, period)
                event = MeetingObligationClosed(
                    organization_id=uuid.UUID(cell.id), obligation=rule.obligation, period_start=period.start,
                    period_end=period.end, met=meeting_id is not None, meeting_id=meeting_id, actor=ACTOR)
                session.add(ObligationClosure(
                    organization_id=cell.id, obligation=rule.obligation, period_start=period.start,
                    period_end=period.end, met=event.met, meeting_id=str(meeting_id) if meeting_id else None,
                    event_id=str(event.event_id), closed_at=datetime.now(timezone.utc)))
                done.add((rule.obligation, period.start))
                events.append(event)
        if events:
            uow.publish(*events)
        uow.commit()
    return events


def _binds(session, cell_id: str, rule: ObligationRule, period: rules.Period) -> bool:
    if rule.definition.get("applies_to", "every_cell") == "every_cell":
        return True
    return rules.binds(rule.definition, *_committee_facts(session, cell_id, period.end))


def _committee_facts(session, cell_id: uuid.UUID | str, on: date) -> tuple[bool | None, int]:
    """What decides whether a cell has a committee on a date: the flag in force (None: never set) and the number
    of official members on its roster."""
    flag = session.execute(select(CellCommitteeFlag.has_committee).where(
        CellCommitteeFlag.organization_id == str(cell_id), CellCommitteeFlag.valid_from <= on)
        .order_by(CellCommitteeFlag.valid_from.desc()).limit(1)).scalar_one_or_none()
    return flag, sum(1 for m in orgs.roster_on(session, cell_id, on) if m.status == "official")


def _meeting_that_met(session, cell_id: str, rule: ObligationRule, period: rules.Period) -> uuid.UUID | None:
    """The earliest meeting in the period of a kind the rule accepts (committee meetings for "committee")."""
    kinds = rule.definition["satisfied_by"]
    if "committee" in kinds:
        query = select(CommitteeMeeting.id).where(CommitteeMeeting.organization_id == cell_id,
                                                  CommitteeMeeting.held_on.between(period.start, period.end)) \
            .order_by(CommitteeMeeting.held_on, CommitteeMeeting.id)
    else:
        query = select(Meeting.id).where(Meeting.organization_id == cell_id, Meeting.kind.in_(kinds),
                                         Meeting.held_on.between(period.start, period.end)) \
            .order_by(Meeting.held_on, Meeting.id)
    found = session.execute(query.limit(1)).scalar_one_or_none()
    return uuid.UUID(found) if found else None


def set_committee_flag(uow: UnitOfWork, principal: Principal, cell_id: uuid.UUID, has_committee: bool,
                       valid_from: date, today: date) -> None:
    """Say whether a cell has a cell committee from a date on (overrides the default from its membership)."""
    with uow:
        orgs.cell_in_subtree(uow.session, principal, cell_id, today)
        uow.session.merge(CellCommitteeFlag(organization_id=str(cell_id), valid_from=valid_from,
                                            has_committee=has_committee, set_by=principal.username,
                                            set_at=datetime.now(timezone.utc)))
        uow.commit()


def committee_flag_on(session, principal: Principal, cell_id: uuid.UUID, on: date) -> dict:
    """The flag in force on a date, where it comes from, and the default the data gives."""
    orgs.cell_in_subtree(session, principal, cell_id, on)
    rule = session.execute(select(ObligationRule).where(ObligationRule.obligation == "committee")
                           .order_by(ObligationRule.effective_from.desc())).scalars().first()
    flag, official = _committee_facts(session, cell_id, on)
    default = rules.binds(rule.definition, None, official) if rule else False
    return {"organization_id": cell_id, "on": on, "has_committee": default if flag is None else flag,
            "source": "default" if flag is None else "set", "official_members": official}


def record_committee_meeting(uow: UnitOfWork, principal: Principal, cell_id: uuid.UUID, held_on: date,
                             duration_minutes: int, note: str | None, today: date) -> uuid.UUID:
    """A cell-committee (chi ủy) meeting: it meets the monthly committee obligation of its month."""
    problems = []
    if held_on > today:
        problems.append(FieldProblem("held_on", "Ngày họp không được ở tương lai", "The date cannot be in the future"))
    if not 0 <= duration_minutes <= domain.MAX_DURATION_MINUTES:
        problems.append(FieldProblem("duration_minutes", f"Thời lượng phải từ 0 đến {domain.MAX_DURATION_MINUTES} phút",
                                     f"Duration must be between 0 and {domain.MAX_DURATION_MINUTES} minutes"))
    with uow:
        orgs.cell_in_subtree(uow.session, principal, cell_id, held_on)
        if problems:
            raise ValidationFailed(*problems)
        meeting_id = uuid.uuid4()
        uow.session.add(CommitteeMeeting(id=str(meeting_id), organization_id=str(cell_id), held_on=held_on,
                                         duration_minutes=duration_minutes, note=(note or "").strip() or None,
                                         recorded_by=principal.username, recorded_at=datetime.now(timezone.utc)))
        uow.commit()
    return meeting_id


def closures(session, principal: Principal, cell_id: uuid.UUID, year: int) -> list[ObligationClosure]:
    """A cell's closed periods in a year (missed ones have ``met`` False), by period then obligation."""
    orgs.cell_in_subtree(session, principal, cell_id, date(year, 12, 31))
    return list(session.execute(select(ObligationClosure).where(
        ObligationClosure.organization_id == str(cell_id),
        ObligationClosure.period_start.between(date(year, 1, 1), date(year, 12, 31)))
        .order_by(ObligationClosure.period_start, ObligationClosure.obligation)).scalars())
