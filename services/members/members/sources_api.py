"""Read-only source records for the reports' consistency check: every placement in a subtree (today's tree)."""
from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import Session, select

from members import queries
from members.models import Member, MemberPlacement
from shared.auth import Principal, ensure_in_subtree, require_roles
from shared.errors import ValidationFailed

router = APIRouter(prefix="/members/api/sources", tags=["sources"])
Reader = Annotated[Principal, Depends(require_roles("province", "committee"))]


def _session(request: Request) -> Iterator[Session]:
    with Session(request.app.state.runtime.engine) as session:
        yield session


@router.get("/placements")
def placements(org_id: uuid.UUID, principal: Reader, session: Annotated[Session, Depends(_session)]) -> dict:
    """Members placed in the organization's subtree (today's tree): cell, dates, current status, sex, birth date."""
    today = date.today()
    if queries.org_ref(session, org_id) is None:
        raise ValidationFailed.of("org_id", "Không tìm thấy tổ chức đảng", "Unknown party organization")
    ensure_in_subtree(principal, queries.lineage(session, org_id, today))
    orgs = queries.subtree(session, org_id, today)
    rows = session.exec(select(MemberPlacement, Member).join(Member, Member.id == MemberPlacement.member_id)
                        .where(MemberPlacement.organization_id.in_(orgs))).all()
    return {"organizations": [str(o) for o in orgs], "placements": [
        {"member_id": str(m.id), "organization_id": str(p.organization_id), "valid_from": p.valid_from,
         "valid_to": p.valid_to, "status": m.status, "sex": m.sex, "date_of_birth": m.date_of_birth}
        for p, m in rows]}
