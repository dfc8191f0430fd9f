"""Which rubric (and which rule set) applies: in force on a date, most specific scope in the lineage first."""
from __future__ import annotations

import uuid
from collections.abc import Iterable, Sequence
from datetime import date
from typing import TypeVar

from sqlalchemy import func, or_, select
from sqlmodel import Session

from meetings.models import MeetingRule, Rubric

T = TypeVar("T", Rubric, MeetingRule)
IN_FORCE = "in_force"


class NoRubricError(LookupError):
    """No rubric is in force for a meeting's organization and date."""


def pick(candidates: Iterable[T], lineage: Sequence[uuid.UUID | str], on: date) -> T | None:
    """Pure: among versions in force on ``on`` whose scope is in the lineage (or province-wide), the nearest
    scope wins (cell, then its ancestors, then province-wide); then the latest start, then the highest version."""
    scopes = [str(i) for i in lineage]
    best, best_rank = None, None
    for r in candidates:
        if r.effective_from > on or (r.effective_to is not None and r.effective_to < on):
            continue
        if getattr(r, "status", IN_FORCE) != IN_FORCE:
            continue
        if r.scope_org_id is not None and r.scope_org_id not in scopes:
            continue
        distance = scopes.index(r.scope_org_id) if r.scope_org_id else len(scopes)
        rank = (distance, -r.effective_from.toordinal(), -r.version)
        if best_rank is None or rank < best_rank:
            best, best_rank = r, rank
    return best


def in_force(session: Session, lineage: list[uuid.UUID], on: date) -> Rubric:
    scopes = [str(i) for i in lineage]
    candidates = session.execute(select(Rubric).where(
        Rubric.effective_from <= on, or_(Rubric.effective_to.is_(None), Rubric.effective_to >= on),
        Rubric.status == IN_FORCE, or_(Rubric.scope_org_id.is_(None), Rubric.scope_org_id.in_(scopes)))).scalars().all()
    found = pick(candidates, lineage, on)
    if found is None:
        raise NoRubricError(f"no rubric in force on {on} for {scopes[:1]}")
    return found


def rules_in_force(session: Session, lineage: list[uuid.UUID], on: date) -> MeetingRule | None:
    scopes = [str(i) for i in lineage]
    return pick(session.execute(select(MeetingRule).where(
        or_(MeetingRule.scope_org_id.is_(None), MeetingRule.scope_org_id.in_(scopes)))).scalars().all(), lineage, on)


def all_rubrics(session: Session) -> list[Rubric]:
    return list(session.execute(select(Rubric).order_by(Rubric.code, Rubric.version)).scalars())


def in_force_rubrics(session: Session) -> list[Rubric]:
    return list(session.execute(select(Rubric).where(Rubric.status == IN_FORCE)).scalars())


def next_version(session: Session, code: str) -> int:
    return (session.execute(select(func.max(Rubric.version)).where(Rubric.code == code)).scalar() or 0) + 1
