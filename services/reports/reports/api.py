"""JSON API and live stream of the reports service."""
from __future__ import annotations

import json
import uuid
from datetime import date
from collections.abc import AsyncIterator
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import StreamingResponse
from sqlmodel import Session

from shared.auth import CurrentPrincipal
from shared.db import in_thread
from reports import generation, report
from reports.access import authorized_org, check_org
from reports.hub import FiguresHub
from reports.report_alerts import SHOWN
from reports.report_params import valid_range, valid_tree
from reports.schemas import FullFigures

router = APIRouter(prefix="/reports", tags=["reports"])


OrgQuery = Annotated[uuid.UUID | None, Query(description="Organization (default: the caller's own)")]
PeriodQuery = Annotated[str | None, Query(description="2026-03, 2026-Q1 or 2026 (default: this month)")]
FromQuery = Annotated[date | None, Query(alias="from", description="First day of a range (with to; instead of period)")]
ToQuery = Annotated[date | None, Query(alias="to", description="Last day of a range, not before from")]
TreeQuery = Annotated[str | None, Query(description="as_was (default): the tree in force then; today: today's tree")]
AlertItemsQuery = Annotated[int, Query(ge=0, le=100_000, description="Alerts listed of each kind, the first by date "
                                                                   "(alerts.totals counts them all; the exports list all)")]


@router.get("/api/figures", response_model=FullFigures)
async def read_figures(request: Request, principal: CurrentPrincipal, org_id: OrgQuery = None,
                       period: PeriodQuery = None, start: FromQuery = None, end: ToQuery = None,
                       tree: TreeQuery = None, alert_items: AlertItemsQuery = SHOWN) -> dict:
    """Every figure of an organization's subtree over a period or a from/to range (meetings, members, changes,
    fees, grades), rolled up along the tree in force then (or today's with tree=today); direct children too."""
    label, first, last = valid_range(period, start, end)
    tree_mode = valid_tree(tree)

    def read() -> dict:  # one trip to the thread pool (a sync route and a sync session dependency take one each)
        with Session(generation.current(request.app.state.runtime.engine)) as session:
            org = authorized_org(session, principal, org_id)
            return report.full_figures(session, org, label, first, last, tree_mode, named_period=start is None,
                                       alerts_shown=alert_items)
    return await in_thread(read)


@router.get("/api/stream", response_class=StreamingResponse,
            responses={200: {"content": {"text/event-stream": {}}, "description": "`event: figures` messages"}})
async def stream_figures(request: Request, principal: CurrentPrincipal, org_id: OrgQuery = None) -> StreamingResponse:
    """Server-Sent Events: `event: figures` whenever an organization's figures change within the subtree."""
    home = request.app.state.runtime.engine
    org = await in_thread(lambda: check_org(generation.current(home), principal, org_id))
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
