"""Page: the rubrics (thang điểm) — every version, and a new version made from an existing one."""
from __future__ import annotations

import json
from urllib.parse import quote

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy import select

from shared.auth import ROLE_LABELS_VI, Principal

from meetings import orgs, rubrics
from meetings.api import DB, Today
from meetings.minutes import LEVEL_LABELS
from meetings.models import Organization, Rubric
from meetings.rubric_admin import AUTHORS
from meetings.web import Viewer, templates

router = APIRouter(tags=["pages"])


@router.get("/meetings/thang-diem", response_class=HTMLResponse, include_in_schema=False)
def rubrics_page(request: Request, db: DB, today: Today, base: int | None = None,
                 principal: Principal | None = Viewer) -> Response:
    """Every rubric version; with ``base`` (a rubric id), the form for a new version made from it."""
    if principal is None:
        return RedirectResponse(f"/members/login?next={quote(request.url.path, safe='/')}", status_code=303)
    names = {o.id: o.name for o in db.execute(select(Organization)).scalars()}
    versions = rubrics.all_rubrics(db)
    chosen = next((r for r in versions if r.id == base), None)
    scopes = sorted(((oid, names.get(oid, oid)) for oid in orgs.subtree_on(db, principal.org_id, today)
                     if oid in names), key=lambda s: s[1])
    context = {"user": principal, "role_label": ROLE_LABELS_VI.get(principal.role, principal.role),
               "versions": [_row(r, names) for r in versions], "chosen": _row(chosen, names) if chosen else None,
               "chosen_json": json.dumps(chosen.definition, ensure_ascii=False) if chosen else "null",
               "may_author": principal.role in AUTHORS, "scopes": scopes, "today": today.isoformat(),
               "levels": LEVEL_LABELS, "province": principal.role == "province"}
    return templates.TemplateResponse(request, "rubrics.html", context)


def _row(r: Rubric, names: dict[str, str]) -> dict:
    d = r.definition
    return {"id": r.id, "code": r.code, "version": r.version, "status": r.status,
            "title": d.get("title_vi") or r.code, "scope": names.get(r.scope_org_id, "Toàn tỉnh") if r.scope_org_id
            else "Toàn tỉnh", "scope_org_id": r.scope_org_id, "from": r.effective_from, "to": r.effective_to,
            "max": d.get("max"), "bands": sorted(d.get("bands", []), key=lambda b: -b["min"]),
            "groups": d.get("groups", []), "created_by": r.created_by}
