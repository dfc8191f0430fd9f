"""Which rubric rates a meeting: in force on its date, most specific scope in its lineage first."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from meetings.models import Rubric


class NoRubricError(LookupError):
    """No rubric is in force for a meeting's organization and date."""


def in_force(session: Session, lineage: list[uuid.UUID], on: date) -> Rubric:
    """The nearest scope wins (cell, then its ancestors, then province-wide); then the latest start and version."""
    scopes = [str(i) for i in lineage]
    candidates = session.execute(select(Rubric).where(
        Rubric.effective_from <= on, or_(Rubric.effective_to.is_(None), Rubric.effective_to >= on),
        or_(Rubric.scope_org_id.is_(None), Rubric.scope_org_id.in_(scopes)))).scalars().all()
    if not candidates:
        raise NoRubricError(f"no rubric in force on {on} for {scopes[:1]}")

    def rank(r: Rubric) -> tuple:
        distance = scopes.index(r.scope_org_id) if r.scope_org_id else len(scopes)
        return distance, -r.effective_from.toordinal(), -r.version

    return min(candidates, key=rank)


def all_rubrics(session: Session) -> list[Rubric]:
    return list(session.execute(select(Rubric).order_by(Rubric.code, Rubric.version)).scalars())
