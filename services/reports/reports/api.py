"""JSON API and live stream of the reports service."""
from __future__ import annotations

import json
import uuid
from collections.abc import AsyncIterator, Iterator
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from shared.auth import CurrentPrincipal
from shared.db import in_thread
from reports import queries
from reports.access import authorized_org, check_org, valid_period
from reports.hub import FiguresHub
from reports.schemas import Figures

router = APIRouter(prefix="/reports", tags=["reports"])


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.runtime.engine) as session:
        yield session


SessionDep = Annotated[Session, Depends(_session)]
OrgQuery = Annotated[uuid.UUID | None, Query(description="Organization (default: the caller's own)")]
PeriodQuery = Annotated[str | None, Query(description="2026-03, 2026-Q1 or 2026 (default: this month)")]


@router.get("/api/figures", response_model=Figures)
def read_figures(principal: CurrentPrincipal, session: SessionDep, org_id: OrgQuery = None,
                 period: PeriodQuery = None) -> dict:
    """Meetings held, rating levels and attendance of an organization and of each direct child in a period."""
    period = valid_period(period)
    return queries.figures(session, authorized_org(session, principal, org_id), period)


@router.get("/api/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "`event: figures` messages"}})
async def stream_figures(request: Request, principal: CurrentPrincipal, org_id: OrgQuery = None) -> StreamingResponse:
    """Server-Sent Events: `event: figures` whenever an organization's figures change within the subtree."""
    org = await in_thread(check_org, request.app.state.runtime.engine, principal, org_id)
    events = _events(request.app.state.hub, org, request.app.state.settings.sse_heartbeat_s)
    return StreamingResponse(events, media_type="text/event-stream",
                             headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"})


async def _events(hub: FiguresHub, org_id: str, heartbeat_s: float) -> AsyncIterator[str]:
    subscription = hub.subscribe(org_id)
    try:
        yield "retry: 3000\n: connected\n\n"
        while True:
            payload = await subscription.next(heartbeat_s)
            if payload is None:
                yield ": heartbeat\n\n"
            else:
                yield f"event: figures\ndata: {json.dumps(payload, ensure_ascii=False)}\n\n"
    finally:
        hub.unsubscribe(subscription)
