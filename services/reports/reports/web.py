"""The dashboard page, served by the service itself with its script (no CDN: the network may be offline)."""
from __future__ import annotations

import json
import uuid
from pathlib import Path

from fastapi import APIRouter, Request
from fastapi.responses import FileResponse, HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from shared import nav
from shared.auth import ROLE_LABELS_VI, Principal, principal_of
from shared.errors import ChiboError, NotAuthenticated, ValidationFailed
from reports import dashboard, generation, queries, report
from reports.report_alerts import SHOWN as ALERTS_SHOWN
from reports.access import authorized_org, valid_period
from reports.periods import current_periods, period_label_vi, period_range

router = APIRouter(prefix="/reports", tags=["pages"])
WEB = Path(__file__).parent / "web"
templates = Jinja2Templates(directory=WEB / "templates")
nav.install(templates)
LOGIN = "/members/login?next=/reports/"


@router.get("/", response_class=HTMLResponse)
def dashboard_page(request: Request, period: str | None = None, org: str | None = None) -> Response:
    """Dashboard of an organization in the signed-in user's subtree (their own by default): headline figures,
    charts per month, the cells to watch, the alerts, and live updates."""
    try:
        principal = principal_of(request)
    except NotAuthenticated:
        return RedirectResponse(LOGIN, status_code=303)
    try:
        period = valid_period(period)
    except ValidationFailed:
        period = current_periods()[0]
    return templates.TemplateResponse(request, "dashboard.html", _context(request, principal, period, org))


@router.get("/static/dashboard.js", include_in_schema=False)
def dashboard_script() -> FileResponse:
    return FileResponse(WEB / "static" / "dashboard.js", media_type="text/javascript",
                        headers={"Cache-Control": "no-cache"})


def _context(request: Request, principal: Principal, period: str, picked: str | None) -> dict:
    notice, figures, page = None, None, {}
    with Session(generation.current(request.app.state.runtime.engine)) as session:  # the projection in force
        own = str(principal.org_id)
        known = queries.lineage(session, own) is not None
        org = own
        if picked and picked != own:
            try:
                org = authorized_org(session, principal, uuid.UUID(picked))
            except (ValueError, ChiboError):  # not an id, unknown, or outside the subtree: show the user's own
                notice = "Đồng chí chỉ xem được tổ chức trong phạm vi của mình; đang hiển thị tổ chức của đồng chí."
        if known:
            figures = report.full_figures(session, org, period, *period_range(period), "as_was", named_period=True,
                                          alerts_shown=ALERTS_SHOWN)
            month = dashboard.watch_month(period)
            page = {"series": dashboard.month_series(session, org, int(period[:4])), "watch_month": month,
                    "previous_month": dashboard.previous_month(month), "cells": dashboard.cells(session, org, month),
                    "alerts": dashboard.alerts(figures)}
            options = dashboard.picker(session, own)
        else:
            options = []
    this_month = current_periods()[0]
    periods = [(p, period_label_vi(p)) for p in dict.fromkeys([*current_periods(), dashboard.previous_month(this_month),
                                                                period])]
    data = {"figures": figures, **page} if figures else None
    return {"principal": principal, "role_label": ROLE_LABELS_VI.get(principal.role, principal.role),
            "figures": figures, "period": period, "period_label": period_label_vi(period), "periods": periods,
            "orgs": options, "org": org, "notice": notice,
            "watch_label": period_label_vi(page.get("watch_month", period)),
            "may_export": principal.role in ("province", "committee", "secretary"),
            "data_json": json.dumps(data, ensure_ascii=False, default=str).replace("<", "\\u003c")}
