"""JSON API of grading, party fees and the HR integration (thin: parse, call one use case, shape)."""
from __future__ import annotations

import json
import uuid
from datetime import date

from fastapi import APIRouter, Depends, File, Query, Request, UploadFile

from members import fee_usecases, grading_usecases, hr_usecases
from members.api import get_uow
from members.finance_schemas import (FeeRulesListPublic, FeeRulesPublic, FeeRulesSet, GradeScalePublic,
                                     GradeScaleSet, GradeScalesPublic, ArrearsPublic, ArrearsRow, DueLine, DuesPublic, FeeBasisPublic, FeeBasisSet, FeeSheetCreate, FeeSheetPublic,
                                     GradePublic, HrTaskPublic, HrTasksPublic, ImportPublic, MemberGradeCreate,
                                     MemberGradeRow, MemberGradesPublic, OrganizationGradeCreate)
from members.fees import FeeRules
from members.grading import GradeScale
from members.hr import load_mapping
from shared import clock
from shared.auth import CurrentPrincipal
from shared.db import in_thread
from shared.errors import ValidationFailed
from shared.subjects import FEES_RECORDED, MEMBER_GRADED, ORGANIZATION_GRADED, REMOVAL_REVIEW_RAISED
from shared.uow import UnitOfWork

router = APIRouter(prefix="/members/api", tags=["members: grading, fees, HR"])
MAX_UPLOAD_BYTES = 64 * 1024 * 1024
PUBLISHES = [MEMBER_GRADED, ORGANIZATION_GRADED, FEES_RECORDED, REMOVAL_REVIEW_RAISED]


def _graded(g: grading_usecases.Graded) -> GradePublic:
    return GradePublic(subject_id=g.subject_id, year=g.year, score=g.score, level=g.level, level_vi=g.level_vi,
                       replaced_earlier_grade=g.revision, warnings=g.warnings)


@router.post("/grades/members", status_code=201, response_model=GradePublic)
def grade_member(body: MemberGradeCreate, principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)):
    """Grade a member for a year on the QĐ 366 100-point scale (the level follows from the score)."""
    cmd = grading_usecases.GradeCommand(body.member_id, body.year, body.score, body.decided_on)
    return _graded(grading_usecases.grade_member(uow, cmd, principal))


@router.post("/grades/organizations", status_code=201, response_model=GradePublic)
def grade_organization(body: OrganizationGradeCreate, principal: CurrentPrincipal,
                       uow: UnitOfWork = Depends(get_uow)):
    """Grade an organization under yours for a year (QĐ 366)."""
    cmd = grading_usecases.GradeCommand(body.organization_id, body.year, body.score, body.decided_on)
    return _graded(grading_usecases.grade_organization(uow, cmd, principal))


@router.get("/grades/members", response_model=MemberGradesPublic)
def list_member_grades(organization_id: uuid.UUID, year: int, principal: CurrentPrincipal,
                       uow: UnitOfWork = Depends(get_uow)):
    """Member grades of a year in an organization's subtree."""
    rows = grading_usecases.member_grades(uow, organization_id, year, principal)
    items = [MemberGradeRow(member_id=r.member_id, organization_id=r.organization_id, year=r.year, score=r.score,
                            level=r.level) for r in rows]
    return MemberGradesPublic(items=items, count=len(items))


def _due(line: fee_usecases.MemberDue, paid: int | None = None) -> DueLine:
    return DueLine(member_id=line.member_id, full_name=line.full_name, due_vnd=line.due.amount_vnd,
                   basis=line.due.basis, paid_vnd=paid)


@router.get("/fees/dues", response_model=DuesPublic)
def list_dues(organization_id: uuid.UUID, month: date, principal: CurrentPrincipal,
              uow: UnitOfWork = Depends(get_uow)):
    """Each member's party fee for a month, from the rule set in force (QĐ 01-QĐ/TW 2026)."""
    lines = fee_usecases.dues(uow, organization_id, month, principal)
    return DuesPublic(organization_id=organization_id, month=month.replace(day=1), items=[_due(l) for l in lines],
                      total_due_vnd=sum(l.due.amount_vnd for l in lines))


@router.post("/fees/sheets", status_code=201, response_model=FeeSheetPublic)
def record_fee_sheet(body: FeeSheetCreate, principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)):
    """Record a cell's collection sheet for a month (again = a correction with the next revision)."""
    payments = {p.member_id: p.paid_vnd for p in body.payments}
    if len(payments) != len(body.payments):
        raise ValidationFailed.of("payments", "Một đảng viên xuất hiện hai lần", "A member appears twice")
    done = fee_usecases.record_fees(uow, fee_usecases.RecordFees(body.organization_id, body.month, payments), principal)
    return FeeSheetPublic(organization_id=done.organization_id, month=done.month, revision=done.revision,
                          items=[_due(l, p) for l, p in done.lines],
                          total_due_vnd=sum(l.due.amount_vnd for l, _ in done.lines),
                          total_paid_vnd=sum(p for _, p in done.lines), removal_reviews_raised=done.reviews_raised)


@router.put("/fees/basis/{member_id}", response_model=FeeBasisPublic)
def set_fee_basis(member_id: uuid.UUID, body: FeeBasisSet, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)):
    """Enter a member's student status, voluntary extra, or salary/pension from a date (fields left out keep theirs)."""
    row = fee_usecases.set_fee_basis(uow, fee_usecases.FeeBasis(member_id, **body.model_dump()), principal)
    return FeeBasisPublic.model_validate(row, from_attributes=True)


@router.get("/fees/unpaid", response_model=ArrearsPublic)
def list_unpaid(organization_id: uuid.UUID, year: int, principal: CurrentPrincipal,
                uow: UnitOfWork = Depends(get_uow)):
    """Members of a subtree with unpaid fee months in a year."""
    rows = fee_usecases.unpaid(uow, organization_id, year, principal)
    return ArrearsPublic(organization_id=organization_id, year=year, items=[
        ArrearsRow(member_id=r.member_id, full_name=r.full_name, unpaid_months=r.unpaid_months,
                   count=len(r.unpaid_months), removal_review_raised=r.review_raised) for r in rows])


ROWS_PAGE = 1000
RowStatus = Query(None, description="Only rows with these statuses, comma-separated: new,update,unchanged,skipped,error")
RowOffset = Query(0, ge=0)
RowLimit = Query(ROWS_PAGE, ge=0, le=10_000)


def _import(record, status: str | None = None, offset: int = 0, limit: int = ROWS_PAGE) -> ImportPublic:
    rows = json.loads(record.rows)
    if status:
        wanted = {s.strip() for s in status.split(",")}
        rows = [r for r in rows if r["status"] in wanted]
    return ImportPublic(id=record.id, filename=record.filename, status=record.status,
                        effective_from=record.effective_from, summary=json.loads(record.summary),
                        rows_matching=len(rows), offset=offset, rows=rows[offset:offset + limit])


@router.post("/hr/imports", status_code=201, response_model=ImportPublic)
async def upload_hr_export(request: Request, principal: CurrentPrincipal, file: UploadFile = File(...),
                           effective_from: date | None = Query(None), status: str | None = RowStatus,
                           limit: int = RowLimit, uow: UnitOfWork = Depends(get_uow)):
    """Upload an HR export (.xlsx or .csv): every row previewed as new / update / unchanged / skipped / error."""
    content = await file.read(MAX_UPLOAD_BYTES + 1)
    if len(content) > MAX_UPLOAD_BYTES:
        raise ValidationFailed.of("file", "Tệp quá lớn (tối đa 64 MB)", "The file is too large (64 MB at most)")
    mapping = load_mapping(getattr(request.app.state.settings, "hr_mapping_path", None))
    record = await in_thread(lambda: hr_usecases.preview_import(
        uow, file.filename or "upload.csv", content, principal, mapping=mapping,
        effective_from=effective_from or clock.today()))
    return _import(record, status, 0, limit)


@router.get("/hr/imports/{import_id}", response_model=ImportPublic)
def get_hr_import(import_id: uuid.UUID, principal: CurrentPrincipal, status: str | None = RowStatus,
                  offset: int = RowOffset, limit: int = RowLimit, uow: UnitOfWork = Depends(get_uow)):
    """A previewed (or committed) import: its counts and a page of its rows, each with its reasons."""
    return _import(hr_usecases.get_import(uow, import_id, principal), status, offset, limit)


@router.post("/hr/imports/{import_id}/commit", response_model=ImportPublic)
def commit_hr_import(import_id: uuid.UUID, principal: CurrentPrincipal, status: str | None = RowStatus,
                     limit: int = RowLimit, uow: UnitOfWork = Depends(get_uow)):
    """Apply every valid row of a preview, all in one transaction."""
    hr_usecases.commit_import(uow, import_id, principal)
    return _import(hr_usecases.get_import(uow, import_id, principal), status, 0, limit)


@router.get("/hr/tasks", response_model=HrTasksPublic)
def list_hr_tasks(organization_id: uuid.UUID, principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)):
    """Open tasks raised by HR changes for the cells of an organization's subtree."""
    items = [_task(t, name) for t, name in hr_usecases.tasks_in(uow, organization_id, principal)]
    return HrTasksPublic(items=items, count=len(items))


def _task(t, name: str) -> HrTaskPublic:
    return HrTaskPublic(id=t.id, member_id=t.member_id, full_name=name, organization_id=t.organization_id,
                        change=t.change, new_unit=t.new_unit, message_vi=t.message_vi, message_en=t.message_en,
                        effective_from=t.effective_from, status=t.status)


@router.post("/hr/tasks/{task_id}/close", response_model=HrTaskPublic)
def close_hr_task(task_id: uuid.UUID, principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)):
    """Mark an HR task as dealt with (the transfer itself is a lifecycle command of its own)."""
    return _task(*hr_usecases.close_task(uow, task_id, principal))


@router.get("/grades/scales", response_model=GradeScalesPublic)
def list_grade_scales(principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)):
    """The grading scale versions (QĐ 366 thresholds and the excellent quota), by first year."""
    return GradeScalesPublic(items=[GradeScalePublic.model_validate(r, from_attributes=True)
                                    for r in grading_usecases.scales(uow)])


@router.put("/grades/scales/{from_year}", response_model=GradeScalePublic)
def set_grade_scale(from_year: int, body: GradeScaleSet, principal: CurrentPrincipal,
                    uow: UnitOfWork = Depends(get_uow)):
    """Set the grading scale from a year (province only), e.g. make the quota refuse instead of warn."""
    row = grading_usecases.set_scale(uow, GradeScale(from_year=from_year, **body.model_dump()), principal)
    return GradeScalePublic.model_validate(row, from_attributes=True)


@router.get("/fees/rules", response_model=FeeRulesListPublic)
def list_fee_rules(principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)):
    """The party-fee rate versions, by the month they apply from."""
    return FeeRulesListPublic(items=[FeeRulesPublic.model_validate(r, from_attributes=True)
                                     for r in fee_usecases.rule_sets(uow)])


@router.put("/fees/rules/{effective_from}", response_model=FeeRulesPublic)
def set_fee_rules(effective_from: date, body: FeeRulesSet, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)):
    """Set the party-fee rates from the first day of a month (province only)."""
    row = fee_usecases.set_rules(uow, FeeRules(effective_from=effective_from, **body.model_dump()), principal)
    return FeeRulesPublic.model_validate(row, from_attributes=True)
