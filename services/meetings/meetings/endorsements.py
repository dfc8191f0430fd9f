"""The rating workflow on the current computed rating: proposed by the cell committee, confirmed by the
members' vote, confirmed by the attending upper-level committee member. Each step is a command with a role
check, stored in ``rating_endorsement`` and published as MeetingRatingEndorsed (who: ``by``; when: occurred_at).

Reports count the computed MeetingRated (the basis); endorsements are the record of who agreed to it. A
re-rating makes a new revision: its workflow starts again from the proposal.
"""
from __future__ import annotations

import uuid
from datetime import datetime, timezone

from sqlalchemy import select
from sqlmodel import Session

from shared.auth import Principal, ensure_in_subtree
from shared.errors import ChiboError, FieldProblem, Forbidden, NotFound, ValidationFailed
from shared.events import MeetingRatingEndorsed
from shared.uow import UnitOfWork

from meetings import orgs
from meetings import record as hd12
from meetings.models import Meeting, MeetingRating, RatingEndorsement, Rubric
from meetings.ratings import latest_rating
from meetings.rubric import band_for

STEPS = ("proposed", "voted", "confirmed")


class StepConflictError(ChiboError):
    status_code = 409


def _meeting(session: Session, principal: Principal, meeting_id: uuid.UUID) -> tuple[Meeting, MeetingRating]:
    meeting = session.get(Meeting, str(meeting_id))
    if meeting is None:
        raise NotFound("Không tìm thấy buổi sinh hoạt", "Meeting not found")
    ensure_in_subtree(principal, orgs.lineage_on(session, meeting.organization_id, meeting.held_on))
    rating = latest_rating(session, meeting.id)
    if rating is None:
        raise StepConflictError("Buổi sinh hoạt chưa được tính điểm", "The meeting has not been rated yet")
    return meeting, rating


def _done(session: Session, rating: MeetingRating) -> dict[str, RatingEndorsement]:
    rows = session.execute(select(RatingEndorsement).where(RatingEndorsement.meeting_id == rating.meeting_id,
                                                           RatingEndorsement.rating_revision == rating.revision))
    return {r.step: r for r in rows.scalars()}


def _record(uow: UnitOfWork, principal: Principal, meeting: Meeting, rating: MeetingRating, step: str, score: float,
            level: str, votes: tuple[int, int] | None = None) -> RatingEndorsement:
    row = RatingEndorsement(meeting_id=meeting.id, rating_revision=rating.revision, step=step,
                            organization_id=meeting.organization_id, score=score, level=level,
                            by=principal.username, votes_for=votes[0] if votes else None,
                            votes_against=votes[1] if votes else None, at=datetime.now(timezone.utc))
    uow.session.add(row)
    uow.publish(MeetingRatingEndorsed(meeting_id=uuid.UUID(meeting.id), organization_id=uuid.UUID(meeting.organization_id),
                                      step=step, score=score, level=level, by=principal.username,
                                      revision=rating.revision, actor=principal.username, occurred_at=row.at))
    uow.commit()
    return row


def _order(done: dict[str, RatingEndorsement], step: str) -> None:
    if step in done:
        raise StepConflictError("Bước này đã được thực hiện cho lần xếp loại hiện tại",
                                "This step is already done for the current rating")
    before = STEPS[STEPS.index(step) - 1] if step != STEPS[0] else None
    if before and before not in done:
        vi = {"proposed": "Chi ủy chưa đề xuất điểm", "voted": "Chi bộ chưa biểu quyết"}[before]
        raise StepConflictError(vi, f"The '{before}' step has not been done yet")


def propose(uow: UnitOfWork, principal: Principal, meeting_id: uuid.UUID, score: float | None) -> RatingEndorsement:
    """The cell committee (the cell's secretary) proposes a score: the computed one unless given."""
    with uow:
        meeting, rating = _meeting(uow.session, principal, meeting_id)
        if principal.role != "secretary" or str(principal.org_id) != meeting.organization_id:
            raise Forbidden("Chỉ chi ủy (bí thư) của chi bộ mới được đề xuất điểm",
                            "Only the cell's committee (its secretary) may propose the score")
        _order(_done(uow.session, rating), "proposed")
        rubric = uow.session.execute(select(Rubric).where(Rubric.code == rating.rubric_code,
                                                          Rubric.version == rating.rubric_version)).scalar_one()
        score = rating.score if score is None else score
        if problems := hd12.score_problems("score", score, rubric.definition["max"]):
            raise ValidationFailed(*(FieldProblem(p.field, p.vi, p.en) for p in problems))
        return _record(uow, principal, meeting, rating, "proposed", score, band_for(rubric.definition, score))


def vote(uow: UnitOfWork, principal: Principal, meeting_id: uuid.UUID, votes_for: int,
         votes_against: int) -> RatingEndorsement:
    """The members present vote on the proposal (recorded by the cell's secretary); adopted by a majority of those present."""
    with uow:
        meeting, rating = _meeting(uow.session, principal, meeting_id)
        if principal.role != "secretary" or str(principal.org_id) != meeting.organization_id:
            raise Forbidden("Chỉ bí thư chi bộ mới được ghi kết quả biểu quyết",
                            "Only the cell's secretary may record the members' vote")
        done = _done(uow.session, rating)
        _order(done, "voted")
        if votes_for < 0 or votes_against < 0 or votes_for + votes_against > rating.present:
            raise ValidationFailed.of("votes_for", f"Số phiếu phải không âm và tổng không quá {rating.present} đảng viên "
                                      "dự họp", f"Votes must be non-negative and total at most the {rating.present} "
                                      "members present")
        if votes_for * 2 <= rating.present:
            raise ValidationFailed.of("votes_for", "Đề xuất chưa được quá nửa số đảng viên dự họp tán thành",
                                      "The proposal lacks a majority of the members present")
        proposed = done["proposed"]
        return _record(uow, principal, meeting, rating, "voted", proposed.score, proposed.level,
                       (votes_for, votes_against))


def confirm(uow: UnitOfWork, principal: Principal, meeting_id: uuid.UUID) -> RatingEndorsement:
    """The attending upper-level committee member (a committee or province user above the cell) confirms."""
    with uow:
        meeting, rating = _meeting(uow.session, principal, meeting_id)
        if principal.role not in ("committee", "province") or str(principal.org_id) == meeting.organization_id:
            raise Forbidden("Chỉ cấp ủy viên cấp trên dự họp mới được xác nhận",
                            "Only the attending upper-level committee member may confirm")
        done = _done(uow.session, rating)
        _order(done, "confirmed")
        voted = done["voted"]
        return _record(uow, principal, meeting, rating, "confirmed", voted.score, voted.level)


def steps(session: Session, meeting_id: str) -> list[RatingEndorsement]:
    return list(session.execute(select(RatingEndorsement).where(RatingEndorsement.meeting_id == meeting_id)
                                .order_by(RatingEndorsement.rating_revision, RatingEndorsement.at)).scalars())
