"""A committee defines its own rubric version (validated, bilingual 422), which re-rates the past period."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from shared.auth import Principal, ensure_in_subtree
from shared.errors import FieldProblem, Forbidden, ValidationFailed
from shared.uow import UnitOfWork

from meetings import orgs, ratings, rubrics
from meetings.models import Organization, Rubric
from meetings.rubric import rubric_problems

AUTHORS = ("province", "committee")


def create_version(uow: UnitOfWork, principal: Principal, code: str, definition: dict[str, Any],
                   effective_from: date, effective_to: date | None, scope_org_id: uuid.UUID | None) -> Rubric:
    """Store the next version of ``code`` in force over [effective_from, effective_to] for a scope (a committee: its
    own subtree; the province: anywhere or province-wide), and queue the re-rating of every meeting it may now rate."""
    if principal.role not in AUTHORS:
        raise Forbidden("Chỉ cấp ủy mới được ban hành thang điểm", "Only a committee may issue a rubric")
    problems = [FieldProblem(p.field, p.vi, p.en) for p in rubric_problems(definition)]
    if not code.strip():
        problems.append(FieldProblem("code", "Cần mã thang điểm", "A rubric code is required"))
    if effective_to is not None and effective_to < effective_from:
        problems.append(FieldProblem("effective_to", "Ngày hết hiệu lực không được trước ngày bắt đầu hiệu lực",
                                     "effective_to cannot be before effective_from"))
    if scope_org_id is None and principal.role != "province":
        problems.append(FieldProblem("scope_org_id", "Cấp ủy phải chọn phạm vi áp dụng (tổ chức của mình)",
                                     "A committee must give the scope (its own organization or one under it)"))
    with uow:
        if scope_org_id is not None:
            if uow.session.get(Organization, str(scope_org_id)) is None:
                problems.append(FieldProblem("scope_org_id", "Không tìm thấy tổ chức này", "Unknown organization"))
            else:
                ensure_in_subtree(principal, orgs.lineage_on(uow.session, scope_org_id, effective_from))
        if problems:
            raise ValidationFailed(*problems)
        version = rubrics.next_version(uow.session, code.strip())
        rubric = Rubric(code=code.strip(), version=version, definition={**definition, "code": code.strip(),
                                                                        "version": version},
                        scope_org_id=str(scope_org_id) if scope_org_id else None, effective_from=effective_from,
                        effective_to=effective_to, created_by=principal.username)
        uow.session.add(rubric)
        ratings.enqueue(uow.session, "rubric", effective_from, date_to=effective_to, scope_org_id=rubric.scope_org_id)
        uow.commit()
    return rubric
