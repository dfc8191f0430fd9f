"""Which organization a request may read: known to the reports and inside the caller's subtree."""
from __future__ import annotations

import uuid

from sqlalchemy.engine import Engine
from sqlmodel import Session

from shared.auth import Principal, ensure_in_subtree
from shared.errors import ValidationFailed
from reports import queries
from reports.periods import PeriodError, current_periods, parse_period


def authorized_org(session: Session, principal: Principal, org_id: uuid.UUID | None) -> str:
    """The org id to read (the caller's own by default); 422 if unknown, 403 outside the subtree."""
    org = str(org_id or principal.org_id)
    lineage = queries.lineage(session, org)
    if lineage is None:
        raise ValidationFailed.of("org_id", "Không tìm thấy tổ chức đảng này trong số liệu báo cáo",
                                  "This party organization is unknown to the reports")
    ensure_in_subtree(principal, [uuid.UUID(o) for o in lineage])
    return org


def check_org(engine: Engine, principal: Principal, org_id: uuid.UUID | None) -> str:
    with Session(engine) as session:
        return authorized_org(session, principal, org_id)


def valid_period(text: str | None) -> str:
    """A normalised period (this month by default); 422 for anything else."""
    if not text:
        return current_periods()[0]
    try:
        return parse_period(text)
    except PeriodError:
        raise ValidationFailed.of("period", "Kỳ báo cáo không hợp lệ: dùng dạng 2026-03, 2026-Q1 hoặc 2026",
                                  "Invalid period: use 2026-03, 2026-Q1 or 2026") from None
