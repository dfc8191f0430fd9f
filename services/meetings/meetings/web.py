"""Pages: the cell secretary's meeting form (one step per screen) and, for upper levels, the cell picker."""
from __future__ import annotations

import uuid
from pathlib import Path
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from fastapi.templating import Jinja2Templates
from sqlmodel import Session

from shared.auth import ROLE_LABELS_VI, Principal, ensure_in_subtree, token_from_request, verify_token
from shared import nav
from shared.errors import NotAuthenticated
from shared.events import CELL_KINDS

from meetings import orgs, views
from meetings.api import DB, Today

WEB_DIR = Path(__file__).parent / "web"
STATIC_DIR = WEB_DIR / "static"
templates = Jinja2Templates(directory=str(WEB_DIR / "templates"))
nav.install(templates)
router = APIRouter(tags=["pages"])
RECORDERS = ("province", "committee", "secretary")


def page_principal(request: Request) -> Principal | None:
    """The signed-in caller from the cookie (or header), or None: pages redirect to the login page instead of 401."""
    token = token_from_request(request)
    try:
        return verify_token(request.app.state.settings.jwt_secret, token) if token else None
    except NotAuthenticated:
        return None


Viewer = Depends(page_principal)


@router.get("/meetings/", response_class=HTMLResponse, include_in_schema=False)
@router.get("/meetings/ghi-bien-ban", response_class=HTMLResponse, include_in_schema=False)
def meeting_form(request: Request, db: DB, today: Today, cell: uuid.UUID | None = None,
                 principal: Principal | None = Viewer) -> Response:
    """The meeting form for the caller's cell (or the chosen one); upper levels first pick a cell."""
    if principal is None:
        return RedirectResponse(f"/members/login?next={quote(request.url.path, safe='/')}", status_code=303)
    return _render(request, *_page(db, principal, cell, today), principal=principal)


def _page(session: Session, principal: Principal, cell_id: uuid.UUID | None, today) -> tuple[str, dict]:
    """Which template and context: the form, the picker, or a notice."""
    if principal.role not in RECORDERS:
        return "notice.html", {"notice": "role"}
    target = cell_id or principal.org_id
    cell = orgs.cell(session, target)
    if cell is not None and cell.kind in CELL_KINDS:
        ensure_in_subtree(principal, orgs.lineage_on(session, cell.id, today))
        return "form.html", {"cell": cell, "today": today.isoformat()}
    cells = views.cells_in_subtree(session, principal, today)
    return "pick.html", {"cells": cells, "known": cell is not None or principal.role != "secretary"}


def _render(request: Request, template: str, context: dict, *, principal: Principal) -> Response:
    context = {**context, "user": principal, "role_label": ROLE_LABELS_VI.get(principal.role, principal.role)}
    return templates.TemplateResponse(request, template, context)
