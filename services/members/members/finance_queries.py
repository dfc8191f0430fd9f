"""Read helpers shared by the finance use cases: where a member sits, which grassroots organization
counts a quota, the rate tables as rule objects, employment in force on a date."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_
from sqlmodel import Session, select

from members import queries
from members.fees import Employment as FeeEmployment, FeeRules
from members.finance_models import Employment, FeeRuleSet, GradeScaleRow
from members.grading import GradeScale
from members.models import Member, MemberPlacement, Organization

GRASSROOTS_KINDS = ("grassroots_cell", "grassroots_committee")


def cell_of(session: Session, member_id: uuid.UUID, on: date) -> uuid.UUID | None:
    """The member's cell on ``on`` (or, failing that, their latest placement starting before it)."""
    rows = session.exec(select(MemberPlacement).where(MemberPlacement.member_id == member_id,
                                                      MemberPlacement.valid_from <= on)
                        .order_by(MemberPlacement.valid_from.desc())).all()
    current = [p for p in rows if p.valid_to is None or p.valid_to > on]
    chosen = current[0] if current else (rows[0] if rows else None)
    return chosen.organization_id if chosen else None


def grassroots_of(session: Session, org_id: uuid.UUID, on: date) -> uuid.UUID:
    """The nearest grassroots organization at or above ``org_id`` (itself if none is found)."""
    chain = queries.lineage(session, org_id, on)
    kinds = {o.id: o.kind for o in session.exec(select(Organization).where(Organization.id.in_(chain))).all()}
    return next((o for o in chain if kinds.get(o) in GRASSROOTS_KINDS), org_id)


def cell_members(session: Session, org_id: uuid.UUID, start: date, end: date) -> list[Member]:
    """Members placed in the cell at any time between ``start`` and ``end`` (inclusive), by name."""
    rows = session.exec(select(Member).join(MemberPlacement, MemberPlacement.member_id == Member.id)
                        .where(MemberPlacement.organization_id == org_id, MemberPlacement.valid_from <= end,
                               or_(MemberPlacement.valid_to.is_(None), MemberPlacement.valid_to > start))
                        .order_by(Member.full_name)).all()
    return list({m.id: m for m in rows}.values())


def grade_scales(session: Session) -> list[GradeScale]:
    return [GradeScale(r.from_year, r.excellent_min, r.good_min, r.completed_min, r.excellent_quota_percent,
                       r.quota_mode, r.source) for r in session.exec(select(GradeScaleRow)).all()]


def fee_rules(session: Session) -> list[FeeRules]:
    return [FeeRules(r.effective_from, r.insured_rate_percent, r.pension_rate_percent, r.student_flat_vnd,
                     r.rounding_vnd, r.unpaid_months_for_review, r.source) for r in session.exec(select(FeeRuleSet)).all()]


def employment_on(session: Session, member_ids: list[uuid.UUID], on: date) -> dict[uuid.UUID, Employment]:
    """Each member's employment row in force on ``on`` (latest ``valid_from`` not after it)."""
    out: dict[uuid.UUID, Employment] = {}
    if not member_ids:
        return out
    rows = session.exec(select(Employment).where(Employment.member_id.in_(member_ids), Employment.valid_from <= on)
                        .order_by(Employment.valid_from)).all()
    for row in rows:
        out[row.member_id] = row
    return out


def latest_employment(session: Session, member_ids: list[uuid.UUID] | None = None) -> dict:
    """Each member's latest employment row (detached plain rows: an import reads 100,000 of them)."""
    table = Employment.__table__
    stmt = select(table).order_by(table.c.valid_from, table.c.id)
    if member_ids is not None:
        stmt = stmt.where(table.c.member_id.in_(member_ids))
    return {row.member_id: row for row in session.connection().execute(stmt)}


def as_fee_input(row: Employment | None) -> FeeEmployment | None:
    if row is None or row.status == "deceased":
        return None
    return FeeEmployment(row.insured_salary_vnd, row.pension_vnd, row.is_student, row.voluntary_extra_vnd)
