"""Page: a member's notices (thông báo) — newest first, each with a "Đã đọc" button; phone-first, large type.

Marking read is a plain form POST (works without JavaScript on any phone) that comes back to the list; it uses the
same use case as ``POST /meetings/api/notices/{id}/read`` (someone else's notice is 404)."""
from __future__ import annotations

import uuid
from urllib.parse import quote

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from shared import clock
from shared.auth import ROLE_LABELS_VI, Principal
from shared.uow import UnitOfWork

from meetings import notices
from meetings.api import DB, _uow
from meetings.models import MemberAccount
from meetings.web import Viewer, templates

router = APIRouter(tags=["pages"])
PAGE = "/meetings/thong-bao"


def _login(request: Request) -> Response:
    return RedirectResponse(f"/members/login?next={quote(PAGE, safe='/')}", status_code=303)


@router.get(PAGE, response_class=HTMLResponse, include_in_schema=False)
def notices_page(request: Request, db: DB, principal: Principal | None = Viewer) -> Response:
    """The signed-in member's notices, newest first (unread marked), each with a "Đã đọc" button."""
    if principal is None:
        return _login(request)
    rows = [{"id": n.id, "title": n.title, "lines": n.body.splitlines(), "read": n.read_at is not None,
             "at": notices.aware(n.created_at).astimezone(clock.TIMEZONE)}
            for n in notices.my_notices(db, principal)]
    context = {"user": principal, "role_label": ROLE_LABELS_VI.get(principal.role, principal.role), "notices": rows,
               "unread": sum(1 for r in rows if not r["read"]), "linked": db.get(MemberAccount, principal.username)}
    return templates.TemplateResponse(request, "notices.html", context)


@router.post(PAGE + "/{notice_id}/da-doc", include_in_schema=False)
def mark_read(notice_id: uuid.UUID, request: Request, uow: UnitOfWork = Depends(_uow),
              principal: Principal | None = Viewer) -> Response:
    """The "Đã đọc" button: mark the notice read, then back to the list at that notice."""
    if principal is None:
        return _login(request)
    notices.mark_read(uow, principal, notice_id)
    return RedirectResponse(f"{PAGE}#tb-{notice_id}", status_code=303)
