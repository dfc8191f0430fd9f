"""Annual grading use cases (QĐ 366): grade a member or an organization for a year, check the
excellent quota in its grassroots organization, publish MemberGraded / OrganizationGraded."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from sqlmodel import select

from members import audit, finance_queries as fq, queries
from members.finance_models import GradeScaleRow, MemberGrade, OrganizationGrade
from members.grading import QUOTA_MODES, GradeScale, LEVEL_LABELS_VI, QuotaCheck, ScoreOutOfRange, check_quota, level_for, scale_for
from members.models import Member, Organization
from members.rights import MEMBER_WRITERS, ORGANIZATION_WRITERS, authorize, require_role
from shared.auth import Principal
from shared.errors import NotFound, ValidationFailed
from shared.events import MemberGraded, OrganizationGraded
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class GradeCommand:
    subject_id: uuid.UUID  # the member or the organization graded
    year: int
    score: Decimal
    decided_on: date


@dataclass(frozen=True)
class Graded:
    subject_id: uuid.UUID
    year: int
    score: Decimal
    level: str
    level_vi: str
    revision: bool  # True when an earlier grade for the year was replaced
    warnings: list[dict]


def _actor(principal: Principal | None) -> str:
    return principal.username if principal else "system"


def _scale(session, year: int) -> GradeScale:
    scale = scale_for(year, fq.grade_scales(session))
    if scale is None:
        raise ValidationFailed.of("year", "Chưa có thang điểm xếp loại cho năm này",
                                  "No grading scale applies to this year")
    return scale


def _level(score: Decimal, scale: GradeScale) -> str:
    try:
        return level_for(score, scale)
    except ScoreOutOfRange:
        raise ValidationFailed.of("score", "Điểm phải từ 0 đến 100", "The score must be between 0 and 100") from None


def _quota(check: QuotaCheck, scale: GradeScale) -> list[dict]:
    if not check.exceeded or scale.quota_mode == "off":
        return []
    if scale.quota_mode == "refuse":
        raise ValidationFailed.of("score", check.message_vi, check.message_en)
    return [{"field": "score", "msg_vi": check.message_vi, "msg_en": check.message_en}]


def grade_member(uow: UnitOfWork, cmd: GradeCommand, principal: Principal | None) -> Graded:
    require_role(principal, MEMBER_WRITERS)
    with uow:
        session = uow.session
        if session.get(Member, cmd.subject_id) is None:
            raise ValidationFailed.of("member_id", "Không tìm thấy đảng viên này", "No such member")
        cell = fq.cell_of(session, cmd.subject_id, min(cmd.decided_on, date(cmd.year, 12, 31)))
        if cell is None:
            raise ValidationFailed.of("member_id", "Đảng viên chưa sinh hoạt ở chi bộ nào trong năm",
                                      "The member was in no cell that year")
        authorize(session, principal, cell, MEMBER_WRITERS, cmd.decided_on)
        scale = _scale(session, cmd.year)
        level = _level(cmd.score, scale)
        grassroots = fq.grassroots_of(session, cell, cmd.decided_on)
        others = session.exec(select(MemberGrade.level).where(MemberGrade.grassroots_id == grassroots,
                                                              MemberGrade.year == cmd.year,
                                                              MemberGrade.member_id != cmd.subject_id)).all()
        warnings = _quota(check_quota([*others, level], scale), scale)
        row = session.exec(select(MemberGrade).where(MemberGrade.member_id == cmd.subject_id,
                                                     MemberGrade.year == cmd.year)).first()
        before = _dump(row)
        row = row or MemberGrade(member_id=cmd.subject_id, year=cmd.year, organization_id=cell, grassroots_id=grassroots,
                                 score=cmd.score, level=level, decided_on=cmd.decided_on, decided_by=_actor(principal))
        row.organization_id, row.grassroots_id, row.score, row.level = cell, grassroots, cmd.score, level
        row.decided_on, row.decided_by = cmd.decided_on, _actor(principal)
        session.add(row)
        audit.record(session, actor=_actor(principal), entity="member", entity_id=cmd.subject_id,
                     action="graded", before=before, after=_dump(row))
        uow.publish(MemberGraded(member_id=cmd.subject_id, organization_id=cell, year=cmd.year, score=float(cmd.score),
                                 level=level, decided_on=cmd.decided_on, actor=_actor(principal)))
        uow.commit()
    return Graded(cmd.subject_id, cmd.year, cmd.score, level, LEVEL_LABELS_VI[level], before is not None, warnings)


def grade_organization(uow: UnitOfWork, cmd: GradeCommand, principal: Principal | None) -> Graded:
    """Organizations are graded by the level above them: the quota pool is the organizations with the same parent."""
    require_role(principal, ORGANIZATION_WRITERS)
    with uow:
        session = uow.session
        if session.get(Organization, cmd.subject_id) is None:
            raise ValidationFailed.of("organization_id", "Không tìm thấy tổ chức này", "No such organization")
        chain = queries.lineage(session, cmd.subject_id, cmd.decided_on)
        parent = chain[1] if len(chain) > 1 else cmd.subject_id
        authorize(session, principal, parent, ORGANIZATION_WRITERS, cmd.decided_on)
        if principal is not None and principal.org_id == cmd.subject_id:
            raise ValidationFailed.of("organization_id", "Tổ chức không tự quyết định xếp loại của mình",
                                      "An organization does not decide its own grade")
        scale = _scale(session, cmd.year)
        level = _level(cmd.score, scale)
        others = session.exec(select(OrganizationGrade.level).where(
            OrganizationGrade.pool_id == parent, OrganizationGrade.year == cmd.year,
            OrganizationGrade.organization_id != cmd.subject_id)).all()
        warnings = _quota(check_quota([*others, level], scale), scale)
        row = session.exec(select(OrganizationGrade).where(OrganizationGrade.organization_id == cmd.subject_id,
                                                           OrganizationGrade.year == cmd.year)).first()
        before = _dump(row)
        row = row or OrganizationGrade(organization_id=cmd.subject_id, year=cmd.year, pool_id=parent, score=cmd.score,
                                       level=level, decided_on=cmd.decided_on, decided_by=_actor(principal))
        row.pool_id, row.score, row.level, row.decided_on, row.decided_by = (parent, cmd.score, level, cmd.decided_on,
                                                                             _actor(principal))
        session.add(row)
        audit.record(session, actor=_actor(principal), entity="organization", entity_id=cmd.subject_id,
                     action="graded", before=before, after=_dump(row))
        uow.publish(OrganizationGraded(organization_id=cmd.subject_id, year=cmd.year, score=float(cmd.score),
                                       level=level, decided_on=cmd.decided_on, actor=_actor(principal)))
        uow.commit()
    return Graded(cmd.subject_id, cmd.year, cmd.score, level, LEVEL_LABELS_VI[level], before is not None, warnings)


def _dump(row) -> dict | None:
    if row is None:
        return None
    return {"year": row.year, "score": str(row.score), "level": row.level, "decided_on": row.decided_on.isoformat()}


def member_grades(uow: UnitOfWork, org_id: uuid.UUID, year: int, principal: Principal) -> list[MemberGrade]:
    """The member grades of a year in an organization's subtree."""
    with uow:
        if uow.session.get(Organization, org_id) is None:
            raise NotFound("Không tìm thấy tổ chức", "Organization not found")
        authorize(uow.session, principal, org_id, today=date(year, 12, 31))
        orgs = queries.subtree(uow.session, org_id, date(year, 12, 31))
        rows = uow.session.exec(select(MemberGrade).where(MemberGrade.organization_id.in_(orgs),
                                                          MemberGrade.year == year)).all()
        uow.session.expunge_all()
        return list(rows)


RULE_KEEPERS = ("province",)


def scales(uow: UnitOfWork) -> list[GradeScaleRow]:
    with uow:
        rows = uow.session.exec(select(GradeScaleRow).order_by(GradeScaleRow.from_year)).all()
        uow.session.expunge_all()
        return list(rows)


def set_scale(uow: UnitOfWork, scale: GradeScale, principal: Principal | None) -> GradeScaleRow:
    """Add or change the grading scale from a year (province level only; the history of versions stays)."""
    require_role(principal, RULE_KEEPERS)
    if not (0 <= scale.completed_min < scale.good_min < scale.excellent_min <= 100):
        raise ValidationFailed.of("good_min", "Ngưỡng phải tăng dần: hoàn thành < tốt < xuất sắc, trong 0–100",
                                  "Thresholds must rise: completed < good < excellent, within 0–100")
    if scale.quota_mode not in QUOTA_MODES:
        raise ValidationFailed.of("quota_mode", "Chế độ tỷ lệ là warn, refuse hoặc off",
                                  "The quota mode is warn, refuse or off")
    with uow:
        row = uow.session.get(GradeScaleRow, scale.from_year)
        before = None if row is None else _scale_dump(row)
        row = row or GradeScaleRow(from_year=scale.from_year, excellent_min=0, good_min=0, completed_min=0,
                                   excellent_quota_percent=0, quota_mode="warn")
        for key in ("excellent_min", "good_min", "completed_min", "excellent_quota_percent", "quota_mode", "source"):
            setattr(row, key, getattr(scale, key))
        uow.session.add(row)
        audit.record(uow.session, actor=_actor(principal), entity="grade_scale", entity_id=scale.from_year,
                     action="set", before=before, after=_scale_dump(row))
        uow.commit()
        uow.session.expunge(row)
    return row


def _scale_dump(row: GradeScaleRow) -> dict:
    return {k: str(getattr(row, k)) for k in ("excellent_min", "good_min", "completed_min", "excellent_quota_percent",
                                              "quota_mode", "source")}
