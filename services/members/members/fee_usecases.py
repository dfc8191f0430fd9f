"""Party-fee use cases (QĐ 01-QĐ/TW 2026): each member's due for a month, a cell's collection sheet
(one command per cell-month, a correction is a higher revision), unpaid months per member, and the
removal review raised once per member-year when the unpaid months reach the rule's count."""
from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, timedelta

from sqlalchemy import func
from sqlmodel import Session, select

from members import audit, finance_queries as fq, queries
from members.fees import Due, FeeRules, first_of_month, is_unpaid, monthly_due, needs_removal_review, previous_month_end, rules_for
from members.finance_models import Employment, FeeMonth, FeeRuleSet, FeeSheet, RemovalReview
from members.models import Member, Organization
from members.rights import MEMBER_WRITERS, authorize, require_role
from shared import clock
from shared.auth import Principal
from shared.errors import NotFound, ValidationFailed
from shared.events import CELL_KINDS, FeeLine, FeesRecorded, RemovalReviewRaised
from shared.uow import UnitOfWork


@dataclass(frozen=True)
class RecordFees:
    organization_id: uuid.UUID
    month: date
    payments: dict[uuid.UUID, int]  # member -> paid VND; a cell member left out paid nothing


@dataclass(frozen=True)
class MemberDue:
    member_id: uuid.UUID
    full_name: str
    due: Due


@dataclass(frozen=True)
class SheetRecorded:
    organization_id: uuid.UUID
    month: date
    revision: int
    lines: list[tuple[MemberDue, int]]
    reviews_raised: list[uuid.UUID]


def month_end(month: date) -> date:
    return (first_of_month(month) + timedelta(days=32)).replace(day=1) - timedelta(days=1)


def _actor(principal: Principal | None) -> str:
    return principal.username if principal else "system"


def _cell(session: Session, org_id: uuid.UUID, principal: Principal | None, month: date, writers=()) -> None:
    org = session.get(Organization, org_id)
    if org is None:
        raise ValidationFailed.of("organization_id", "Không tìm thấy tổ chức này", "No such organization")
    if org.kind not in CELL_KINDS:
        raise ValidationFailed.of("organization_id", "Đảng phí được thu theo chi bộ: hãy chọn một chi bộ",
                                  "Party fees are collected per cell: choose a cell")
    authorize(session, principal, org_id, writers, month_end(month))


def compute_dues(session: Session, org_id: uuid.UUID, month: date) -> list[MemberDue]:
    """Every member of the cell during ``month`` with the fee the rules in force give them: salary,
    pension and student status as of the last day of the previous month."""
    month = first_of_month(month)
    members = fq.cell_members(session, org_id, month, month_end(month))
    rules = rules_for(month, fq.fee_rules(session))
    jobs = fq.employment_on(session, [m.id for m in members], previous_month_end(month))
    return [MemberDue(m.id, m.full_name, monthly_due(fq.as_fee_input(jobs.get(m.id)), rules)) for m in members]


def dues(uow: UnitOfWork, org_id: uuid.UUID, month: date, principal: Principal) -> list[MemberDue]:
    with uow:
        _cell(uow.session, org_id, principal, month)
        return compute_dues(uow.session, org_id, month)


def record_fees(uow: UnitOfWork, cmd: RecordFees, principal: Principal | None, today: date | None = None) -> SheetRecorded:
    """Record a cell's collection sheet for a month and publish FeesRecorded (revision n+1 if one exists)."""
    today = today or clock.today()
    month = first_of_month(cmd.month)
    require_role(principal, MEMBER_WRITERS)
    if month > first_of_month(today):
        raise ValidationFailed.of("month", "Không ghi thu đảng phí cho tháng chưa tới",
                                  "Fees cannot be recorded for a month still to come")
    with uow:
        session = uow.session
        _cell(session, cmd.organization_id, principal, month, MEMBER_WRITERS)
        lines = compute_dues(session, cmd.organization_id, month)
        known = {line.member_id for line in lines}
        for i, (member_id, paid) in enumerate(cmd.payments.items()):
            if member_id not in known:
                raise ValidationFailed.of(f"payments.{i}.member_id", "Đảng viên này không sinh hoạt ở chi bộ trong tháng",
                                          "This member was not in the cell that month")
            if paid < 0:
                raise ValidationFailed.of(f"payments.{i}.paid_vnd", "Số tiền không được âm", "The amount cannot be negative")
        revision = (session.exec(select(func.max(FeeSheet.revision)).where(
            FeeSheet.organization_id == cmd.organization_id, FeeSheet.month == month)).one() or 0) + 1
        sheet = FeeSheet(organization_id=cmd.organization_id, month=month, revision=revision,
                         recorded_by=_actor(principal))
        session.add(sheet)
        session.flush()
        paid_lines = [(line, cmd.payments.get(line.member_id, 0)) for line in lines]
        _store_months(session, sheet, paid_lines)
        audit.record(session, actor=_actor(principal), entity="fee_sheet", entity_id=f"{cmd.organization_id}:{month}",
                     action="recorded", after={"revision": revision, "lines": {str(l.member_id): [l.due.amount_vnd, p]
                                                                                for l, p in paid_lines}})
        uow.publish(FeesRecorded(organization_id=cmd.organization_id, month=month, revision=revision,
                                 actor=_actor(principal),
                                 lines=tuple(FeeLine(member_id=l.member_id, due_vnd=l.due.amount_vnd, paid_vnd=p)
                                             for l, p in paid_lines)))
        raised = _raise_reviews(uow, [l.member_id for l, _ in paid_lines], cmd.organization_id, month.year, today,
                                principal)
        uow.commit()
    return SheetRecorded(cmd.organization_id, month, revision, paid_lines, raised)


def _store_months(session: Session, sheet: FeeSheet, lines: list[tuple[MemberDue, int]]) -> None:
    existing = {row.member_id: row for row in session.exec(select(FeeMonth).where(
        FeeMonth.member_id.in_([l.member_id for l, _ in lines]), FeeMonth.month == sheet.month)).all()}
    for line, paid in lines:
        row = existing.get(line.member_id) or FeeMonth(member_id=line.member_id, month=sheet.month,
                                                       organization_id=sheet.organization_id, sheet_id=sheet.id,
                                                       due_vnd=0, paid_vnd=0, basis="no_rule", unpaid=False)
        row.organization_id, row.sheet_id = sheet.organization_id, sheet.id
        row.due_vnd, row.paid_vnd, row.basis = line.due.amount_vnd, paid, line.due.basis
        row.unpaid = is_unpaid(line.due.amount_vnd, paid)
        session.add(row)
    session.flush()


def _raise_reviews(uow: UnitOfWork, member_ids: list[uuid.UUID], org_id: uuid.UUID, year: int, today: date,
                   principal: Principal | None) -> list[uuid.UUID]:
    session = uow.session
    rules = rules_for(date(year, 12, 1), fq.fee_rules(session))
    if rules is None or not member_ids:
        return []
    counts = dict(session.exec(select(FeeMonth.member_id, func.count()).where(
        FeeMonth.member_id.in_(member_ids), FeeMonth.unpaid, FeeMonth.month >= date(year, 1, 1),
        FeeMonth.month <= date(year, 12, 1)).group_by(FeeMonth.member_id)).all())
    already = set(session.exec(select(RemovalReview.member_id).where(
        RemovalReview.member_id.in_(member_ids), RemovalReview.year == year,
        RemovalReview.cause == "unpaid_fees")).all())
    raised = []
    for member_id in member_ids:
        count = counts.get(member_id, 0)
        if member_id in already or not needs_removal_review(count, rules):
            continue
        session.add(RemovalReview(member_id=member_id, organization_id=org_id, year=year, cause="unpaid_fees",
                                  count=count, raised_on=today))
        uow.publish(RemovalReviewRaised(member_id=member_id, organization_id=org_id, cause="unpaid_fees", year=year,
                                        count=count, raised_on=today, actor=_actor(principal)))
        raised.append(member_id)
    return raised


@dataclass(frozen=True)
class Arrears:
    member_id: uuid.UUID
    full_name: str
    unpaid_months: list[date]
    review_raised: bool


def unpaid(uow: UnitOfWork, org_id: uuid.UUID, year: int, principal: Principal) -> list[Arrears]:
    """Members of an organization's subtree with unpaid months in ``year``."""
    with uow:
        session = uow.session
        if session.get(Organization, org_id) is None:
            raise NotFound("Không tìm thấy tổ chức", "Organization not found")
        authorize(session, principal, org_id, today=date(year, 12, 31))
        orgs = queries.subtree(session, org_id, date(year, 12, 31))
        rows = session.exec(select(FeeMonth, Member.full_name).join(Member, Member.id == FeeMonth.member_id).where(
            FeeMonth.organization_id.in_(orgs), FeeMonth.unpaid, FeeMonth.month >= date(year, 1, 1),
            FeeMonth.month <= date(year, 12, 1)).order_by(Member.full_name, FeeMonth.month)).all()
        reviewed = set(session.exec(select(RemovalReview.member_id).where(RemovalReview.year == year)).all())
        by_member: dict[uuid.UUID, Arrears] = {}
        for month_row, name in rows:
            entry = by_member.setdefault(month_row.member_id, Arrears(month_row.member_id, name, [],
                                                                      month_row.member_id in reviewed))
            entry.unpaid_months.append(month_row.month)
        return list(by_member.values())


@dataclass(frozen=True)
class FeeBasis:
    """What a cell enters by hand for a member's fee, from a date (the HR system sends salaries, not these)."""

    member_id: uuid.UUID
    valid_from: date
    is_student: bool | None = None
    voluntary_extra_vnd: int | None = None
    insured_salary_vnd: int | None = None
    pension_vnd: int | None = None


def set_fee_basis(uow: UnitOfWork, cmd: FeeBasis, principal: Principal | None) -> Employment:
    """Record a member's student status, voluntary extra or salary/pension from a date (a new effective-dated
    employment row carrying the rest over), with the change log; fields left out keep their value."""
    require_role(principal, MEMBER_WRITERS)
    with uow:
        session = uow.session
        if session.get(Member, cmd.member_id) is None:
            raise ValidationFailed.of("member_id", "Không tìm thấy đảng viên này", "No such member")
        cell = fq.cell_of(session, cmd.member_id, cmd.valid_from)
        authorize(session, principal, cell, MEMBER_WRITERS, cmd.valid_from)
        current = fq.employment_on(session, [cmd.member_id], cmd.valid_from).get(cmd.member_id)
        row = current if current is not None and current.valid_from == cmd.valid_from else Employment(
            member_id=cmd.member_id, valid_from=cmd.valid_from, **({k: getattr(current, k) for k in _CARRIED}
                                                                   if current is not None else {}))
        before = {k: getattr(current, k) for k in _CARRIED} if current is not None else None
        for key in ("is_student", "voluntary_extra_vnd", "insured_salary_vnd", "pension_vnd"):
            if (value := getattr(cmd, key)) is not None:
                setattr(row, key, value)
        row.source = "manual"
        session.add(row)
        audit.record(session, actor=_actor(principal), entity="member", entity_id=cmd.member_id,
                     action="fee_basis_set", before=before,
                     after={k: getattr(row, k) for k in _CARRIED} | {"valid_from": cmd.valid_from.isoformat()})
        uow.commit()
        session.expunge(row)
    return row


_CARRIED = ("hr_employee_id", "unit", "position", "insured_salary_vnd", "pension_vnd", "is_student",
            "voluntary_extra_vnd", "status")


def rule_sets(uow: UnitOfWork) -> list[FeeRuleSet]:
    with uow:
        rows = uow.session.exec(select(FeeRuleSet).order_by(FeeRuleSet.effective_from)).all()
        uow.session.expunge_all()
        return list(rows)


def set_rules(uow: UnitOfWork, rules: FeeRules, principal: Principal | None) -> FeeRuleSet:
    """Add or change the fee rate table from a date (province level only; earlier versions stay in force
    for their months)."""
    require_role(principal, ("province",))
    if rules.effective_from.day != 1:
        raise ValidationFailed.of("effective_from", "Mức đảng phí áp dụng từ ngày đầu tháng",
                                  "Fee rates apply from the first day of a month")
    with uow:
        row = uow.session.get(FeeRuleSet, rules.effective_from)
        before = None if row is None else _rules_dump(row)
        row = row or FeeRuleSet(effective_from=rules.effective_from, insured_rate_percent=0, pension_rate_percent=0,
                                student_flat_vnd=0)
        for key in ("insured_rate_percent", "pension_rate_percent", "student_flat_vnd", "rounding_vnd",
                    "unpaid_months_for_review", "source"):
            setattr(row, key, getattr(rules, key))
        uow.session.add(row)
        audit.record(uow.session, actor=_actor(principal), entity="fee_rule_set", entity_id=rules.effective_from,
                     action="set", before=before, after=_rules_dump(row))
        uow.commit()
        uow.session.expunge(row)
    return row


def _rules_dump(row: FeeRuleSet) -> dict:
    return {k: str(getattr(row, k)) for k in ("insured_rate_percent", "pension_rate_percent", "student_flat_vnd",
                                              "rounding_vnd", "unpaid_months_for_review", "source")}
