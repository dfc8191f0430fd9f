"""HTTP routes of ratings: amend a meeting, rating history, the endorsement workflow, rubric versions,
the annual rating of a cell's meetings."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Query
from sqlalchemy import select

from shared.auth import CurrentPrincipal, Principal, ensure_in_subtree, require_roles
from shared.errors import NotFound
from shared.uow import UnitOfWork

from meetings import absences, amendments, endorsements, orgs, rubric_admin, views
from meetings.api import DB, Today, _uow
from meetings.models import Meeting, MeetingRating
from meetings.schemas import (
    AnnualRatingOut, EndorsementOut, MeetingCreate, MeetingOut, ProposeIn, RatingHistoryOut, RatingsOut, RubricCreate,
    RubricVersionOut, VoteIn, to_record,
)

router = APIRouter(prefix="/meetings", tags=["ratings"])
UoW = Annotated[UnitOfWork, Depends(_uow)]
Recorder = Annotated[Principal, Depends(require_roles("province", "committee", "secretary"))]


@router.put("/api/meetings/{meeting_id}", response_model=MeetingOut)
def amend_meeting(meeting_id: uuid.UUID, body: MeetingCreate, principal: Recorder, uow: UoW, db: DB,
                  today: Today) -> MeetingOut:
    """Amend a recorded meeting: a new revision, re-rated asynchronously (MeetingRated with a higher revision)."""
    amendments.amend(uow, principal, meeting_id, to_record(body), today)
    return views.get_meeting(db, principal, meeting_id)


@router.get("/api/meetings/{meeting_id}/ratings", response_model=RatingsOut)
def rating_history(meeting_id: uuid.UUID, principal: CurrentPrincipal, db: DB) -> RatingsOut:
    """Every rating of a meeting (recorded, re-rated after a roster change or a new rubric) and the workflow steps."""
    meeting = db.get(Meeting, str(meeting_id))
    if meeting is None:
        raise NotFound("Không tìm thấy buổi sinh hoạt", "Meeting not found")
    ensure_in_subtree(principal, orgs.lineage_on(db, meeting.organization_id, meeting.held_on))
    rows = db.execute(select(MeetingRating).where(MeetingRating.meeting_id == meeting.id)
                      .order_by(MeetingRating.revision)).scalars()
    return RatingsOut(meeting_id=meeting_id,
                      history=[RatingHistoryOut.model_validate(r, from_attributes=True) for r in rows],
                      endorsements=[EndorsementOut.model_validate(e, from_attributes=True)
                                    for e in endorsements.steps(db, meeting.id)])


@router.post("/api/meetings/{meeting_id}/rating/propose", response_model=EndorsementOut, status_code=201)
def propose_rating(meeting_id: uuid.UUID, body: ProposeIn, principal: CurrentPrincipal, uow: UoW) -> EndorsementOut:
    """Step 1: the cell committee proposes the score (the cell's secretary)."""
    return EndorsementOut.model_validate(endorsements.propose(uow, principal, meeting_id, body.score),
                                         from_attributes=True)


@router.post("/api/meetings/{meeting_id}/rating/vote", response_model=EndorsementOut, status_code=201)
def vote_rating(meeting_id: uuid.UUID, body: VoteIn, principal: CurrentPrincipal, uow: UoW) -> EndorsementOut:
    """Step 2: the members present vote (recorded by the cell's secretary); a majority of those present adopts it."""
    return EndorsementOut.model_validate(endorsements.vote(uow, principal, meeting_id, body.votes_for,
                                                           body.votes_against), from_attributes=True)


@router.post("/api/meetings/{meeting_id}/rating/confirm", response_model=EndorsementOut, status_code=201)
def confirm_rating(meeting_id: uuid.UUID, principal: CurrentPrincipal, uow: UoW) -> EndorsementOut:
    """Step 3: the attending upper-level committee member confirms."""
    return EndorsementOut.model_validate(endorsements.confirm(uow, principal, meeting_id), from_attributes=True)


@router.post("/api/rubrics", response_model=RubricVersionOut, status_code=201)
def create_rubric(body: RubricCreate, principal: CurrentPrincipal, uow: UoW) -> RubricVersionOut:
    """A committee's new rubric version (validated: 422 naming the field); meetings it now rates are re-rated."""
    rubric = rubric_admin.create_version(uow, principal, body.code, body.definition, body.effective_from,
                                         body.effective_to, body.scope_org_id)
    return RubricVersionOut.model_validate(rubric, from_attributes=True)


@router.get("/api/cells/{cell_id}/annual-rating", response_model=AnnualRatingOut)
def annual_rating(cell_id: uuid.UUID, principal: CurrentPrincipal, db: DB,
                  year: Annotated[int, Query(ge=2000, le=2100)]) -> AnnualRatingOut:
    """The year's rating of a cell's monthly meetings (rules: ``meeting_rule`` data, e.g. Tốt = every month ≥ Khá
    and at least 7 rated Tốt), from the current computed ratings."""
    if orgs.cell(db, cell_id) is None:
        raise NotFound("Không tìm thấy chi bộ", "Cell not found")
    ensure_in_subtree(principal, orgs.lineage_on(db, cell_id, date(year, 12, 31)))
    return AnnualRatingOut.model_validate(absences.annual_rating(db, str(cell_id), year))
