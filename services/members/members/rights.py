"""Who may do what where: roles that may write, and the subtree rule (lineage as of today)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlmodel import Session

from members import queries
from shared import clock
from shared.auth import Principal, ensure_in_subtree
from shared.errors import Forbidden

ORGANIZATION_WRITERS = ("province", "committee")
MEMBER_WRITERS = ("province", "committee", "secretary")


def require_role(principal: Principal | None, writers: tuple[str, ...]) -> None:
    if principal is not None and writers and principal.role not in writers:
        raise Forbidden("Vai trò của bạn không được làm việc này", "Your role may not do this")


def authorize(session: Session, principal: Principal | None, org_id: uuid.UUID | None, writers: tuple[str, ...] = (),
              today: date | None = None) -> None:
    """Role may act (if ``writers``) and ``org_id`` lies in the caller's subtree; None principal = system."""
    if principal is None:
        return
    require_role(principal, writers)
    if org_id is None:  # a new root sits outside everybody's subtree
        raise Forbidden()
    ensure_in_subtree(principal, queries.lineage(session, org_id, today or clock.today()))
# Decisions of a committee (admission, official status, transfers, cards, badges, removal, expulsion, exit,
# readmission); a cell secretary records profiles, exemptions, temporary transfers and deaths.
DECISION_MAKERS = ("province", "committee")
