"""HTTP routes of the meeting record's companions: minutes (DOCX/PDF), schedules and notices, obligations,
upper-level supervision. Thin: use cases in obligations.py, notices.py, supervision.py; documents in minutes.py."""
from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends
from fastapi.responses import Response
from sqlmodel import Session

from shared.auth import Principal, require_roles

from meetings import minutes, orgs, views
from meetings.api import DB

router = APIRouter(prefix="/meetings/api", tags=["meeting record"])
MinutesReader = Annotated[Principal, Depends(require_roles("province", "committee", "secretary"))]
DOCX = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _minutes(session: Session, principal: Principal, meeting_id: uuid.UUID) -> minutes.Minutes:
    meeting = views.get_meeting(session, principal, meeting_id)  # 404, then the subtree check (403)
    lineage = orgs.lineage_on(session, meeting.organization_id, meeting.held_on)
    cell = orgs.cell(session, meeting.organization_id)
    ancestors = [c.name for c in (orgs.cell(session, i) for i in lineage[1:]) if c is not None]
    names = {m.member_id: m.full_name for m in orgs.roster_on(session, meeting.organization_id, meeting.held_on)}
    return minutes.compose(meeting, cell.name if cell else "", ancestors, names)


def _attachment(content: bytes, media_type: str, meeting_id: uuid.UUID, ext: str) -> Response:
    return Response(content, media_type=media_type,
                    headers={"Content-Disposition": f'attachment; filename="bien-ban-{meeting_id}.{ext}"'})


@router.get("/meetings/{meeting_id}/minutes.docx", response_class=Response,
            responses={200: {"content": {DOCX: {}}, "description": "Biên bản (Word)"}})
def minutes_docx(meeting_id: uuid.UUID, principal: MinutesReader, db: DB) -> Response:
    """The minutes (biên bản) generated from the record, as a Word document."""
    return _attachment(minutes.to_docx(_minutes(db, principal, meeting_id)), DOCX, meeting_id, "docx")


@router.get("/meetings/{meeting_id}/minutes.pdf", response_class=Response,
            responses={200: {"content": {"application/pdf": {}}, "description": "Biên bản (PDF)"}})
def minutes_pdf(meeting_id: uuid.UUID, principal: MinutesReader, db: DB) -> Response:
    """The minutes (biên bản) generated from the record, as PDF (DejaVu Sans)."""
    return _attachment(minutes.to_pdf(_minutes(db, principal, meeting_id)), "application/pdf", meeting_id, "pdf")
