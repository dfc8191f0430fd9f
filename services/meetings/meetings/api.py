"""HTTP API of the meetings service: thin routes over use cases and views."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Annotated
from fastapi import APIRouter, Depends, Query, Request, Response
from sqlmodel import Session

from shared import clock
from shared.auth import CurrentPrincipal, Principal, require_roles
from shared.uow import UnitOfWork

from meetings import usecases, views
from meetings.schemas import CellOut, MeetingCreate, MeetingOut, RosterOut, RubricOut, to_record

router = APIRouter(prefix="/meetings", tags=["meetings"])
Recorder = Annotated[Principal, Depends(require_roles("province", "committee", "secretary"))]


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.runtime.engine, expire_on_commit=False) as session:
        yield session


def _uow(request: Request) -> UnitOfWork:
    return usecases.runtime_uow(request.app.state.runtime)


def _today() -> date:
    """Today in Vietnam (shared.clock); a dependency so a test can fix the date with ``dependency_overrides``."""
    return clock.today()


DB = Annotated[Session, Depends(_session)]
Today = Annotated[date, Depends(_today)]


@router.post("/api/meetings", status_code=201, response_model=MeetingOut,
             responses={200: {"model": MeetingOut, "description": "A retry: the meeting already stored under this id"},
                        409: {"description": "The id is already used by a different record"}})
def record_meeting(body: MeetingCreate, principal: Recorder, uow: Annotated[UnitOfWork, Depends(_uow)],
                   db: DB, today: Today, response: Response) -> MeetingOut:
    """Record a held meeting (idempotent under a client id); the rating is computed asynchronously."""
    meeting_id, created = usecases.record_meeting(uow, principal, to_record(body), today, body.id)
    response.status_code = 201 if created else 200
    return views.get_meeting(db, principal, meeting_id)


@router.get("/api/meetings/{meeting_id}", response_model=MeetingOut)
def get_meeting(meeting_id: uuid.UUID, principal: CurrentPrincipal, db: DB) -> MeetingOut:
    """One meeting with its attendance and, once computed, its rating."""
    return views.get_meeting(db, principal, meeting_id)


@router.get("/api/meetings", response_model=list[MeetingOut])
def list_meetings(principal: CurrentPrincipal, db: DB, today: Today, organization_id: uuid.UUID | None = None,
                  since: Annotated[date | None, Query(alias="from")] = None,
                  until: Annotated[date | None, Query(alias="to")] = None) -> list[MeetingOut]:
    """Meetings of an organization and its subtree (default: the caller's), newest first."""
    return views.list_meetings(db, principal, organization_id, since, until, today)


@router.get("/api/cells/{cell_id}/roster", response_model=RosterOut)
def cell_roster(cell_id: uuid.UUID, principal: CurrentPrincipal, db: DB, today: Today,
                on: date | None = None) -> RosterOut:
    """Members on a cell's roster on a date (default: today), from member events."""
    return views.roster(db, principal, cell_id, on or today)


@router.get("/api/rubrics", response_model=list[RubricOut])
def list_rubrics(principal: CurrentPrincipal, db: DB, organization_id: uuid.UUID | None = None,
                 on: date | None = None) -> list[RubricOut]:
    """Every rubric version; with organization_id and on, only the one in force for that cell on that date."""
    if organization_id and on:
        return views.rubric_in_force(db, principal, organization_id, on)
    return views.list_rubrics(db)


@router.get("/api/cells", response_model=list[CellOut])
def list_cells(principal: CurrentPrincipal, db: DB, today: Today) -> list[CellOut]:
    """Cells in the caller's subtree today, by name (for choosing which cell's meeting to record)."""
    return views.cells_in_subtree(db, principal, today)
