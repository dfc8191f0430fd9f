"""The dashboard page, served by the service itself (no CDN: the network may be offline)."""
from __future__ import annotations

import json
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from shared.auth import ROLE_LABELS_VI, Principal, current_principal
from shared.errors import NotAuthenticated, ValidationFailed
from reports import generation, queries
from reports.access import valid_period
from reports.periods import current_periods, period_label_vi

router = APIRouter(prefix="/reports", tags=["pages"])
templates = Jinja2Templates(directory=Path(__file__).parent / "web" / "templates")
LOGIN = "/members/login?next=/reports/"


@router.get("/", response_class=HTMLResponse)
def dashboard(request: Request, period: str | None = None) -> Response:
    """Dashboard of the signed-in user's organization: figures, children table, levels chart, live updates."""
    try:
        principal = current_principal(request)
    except NotAuthenticated:
        return RedirectResponse(LOGIN, status_code=303)
    try:
        period = valid_period(period)
    except ValidationFailed:
        period = current_periods()[0]
    return templates.TemplateResponse(request, "dashboard.html", _context(request, principal, period))


def _context(request: Request, principal: Principal, period: str) -> dict:
    with Session(generation.current(request.app.state.runtime.engine)) as session:
        known = queries.lineage(session, str(principal.org_id)) is not None
        figures = queries.figures(session, str(principal.org_id), period) if known else None
    options = [(p, period_label_vi(p)) for p in dict.fromkeys([*current_periods(), period])]
    return {"principal": principal, "role_label": ROLE_LABELS_VI.get(principal.role, principal.role),
            "figures": figures, "period": period, "period_label": period_label_vi(period), "options": options,
            "figures_json": json.dumps(figures, ensure_ascii=False, default=str).replace("<", "\\u003c")}
