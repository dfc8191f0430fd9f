"""Use cases: the transaction boundary. Each checks the caller's rights and the
domain rules, writes the rows and the change log, and enqueues its event in the
outbox in the same transaction."""
from __future__ import annotations

import uuid
from datetime import date
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from members import audit, queries
from members.domain import NewMember, NewOrganization, OrgRef, RuleError, new_organization, register
from members.models import Member, MemberPlacement, Organization, OrganizationParent
from members.rights import MEMBER_WRITERS, ORGANIZATION_WRITERS, authorize, require_role
from shared.auth import Principal
from shared.errors import FieldProblem, NotFound, ValidationFailed
from shared.events import MemberRegistered, OrganizationCreated
from shared.uow import UnitOfWork

T = TypeVar("T")


def _actor(principal: Principal | None) -> str:
    return principal.username if principal else "system"


def _invalid(err: RuleError) -> ValidationFailed:
    return ValidationFailed(*(FieldProblem(p.field, p.vi, p.en) for p in err.problems))


def _existing(session, org_id: uuid.UUID | None, field: str) -> OrgRef | None:
    if org_id is None:
        return None
    ref = queries.org_ref(session, org_id)
    if ref is None:
        raise ValidationFailed.of(field, "Không tìm thấy tổ chức này", "No such organization")
    return ref


def create_organization(uow: UnitOfWork, cmd: NewOrganization, principal: Principal | None,
                        today: date | None = None) -> Organization:
    """Create an organization under its parent (in the caller's subtree) and publish OrganizationCreated."""
    require_role(principal, ORGANIZATION_WRITERS)
    with uow:
        parent = _existing(uow.session, cmd.parent_id, "parent_id")
        authorize(uow.session, principal, cmd.parent_id, ORGANIZATION_WRITERS, today)
        if cmd.id is not None and uow.session.get(Organization, cmd.id) is not None:
            raise ValidationFailed.of("id", "Mã tổ chức đã tồn tại", "This organization id exists already")
        try:
            event = new_organization(cmd, parent, actor=_actor(principal))
        except RuleError as err:
            raise _invalid(err) from None
        org = _store_organization(uow.session, event)
        audit.record(uow.session, actor=_actor(principal), entity="organization", entity_id=org.id,
                     action="created", after=event.model_dump(mode="json", exclude={"occurred_at"}))
        uow.publish(event)
        uow.commit()
    return org


def _store_organization(session, event: OrganizationCreated) -> Organization:
    org = Organization(id=event.organization_id, name=event.name, kind=event.kind, sector=event.sector,
                       cluster=event.cluster, created_on=event.effective_from)
    session.add(org)
    session.flush()  # the parent link's foreign key needs the row first
    if event.parent_id is not None:
        session.add(OrganizationParent(org_id=org.id, parent_id=event.parent_id, valid_from=event.effective_from))
    return org


def register_member(uow: UnitOfWork, cmd: NewMember, principal: Principal | None, *, min_age: int = 18,
                    today: date | None = None) -> tuple[Member, MemberPlacement]:
    """Register a member in a cell (in the caller's subtree) and publish MemberRegistered."""
    today = today or date.today()
    require_role(principal, MEMBER_WRITERS)
    with uow:
        cell = _existing(uow.session, cmd.organization_id, "organization_id")
        authorize(uow.session, principal, cmd.organization_id, MEMBER_WRITERS, today)
        try:
            event = register(cmd, cell, today=today, actor=_actor(principal), min_age=min_age)
        except RuleError as err:
            raise _invalid(err) from None
        _ensure_unique(uow.session, cmd)
        member, placement = _store_member(uow.session, event, cmd)
        audit.record(uow.session, actor=_actor(principal), entity="member", entity_id=member.id, action="registered",
                     after={**event.model_dump(mode="json", exclude={"occurred_at"}), "cccd": cmd.cccd,
                            "phone": cmd.phone})
        uow.publish(event)
        _commit_unique(uow)
    return member, placement


def _store_member(session, event: MemberRegistered, cmd: NewMember) -> tuple[Member, MemberPlacement]:
    member = Member(id=event.member_id, full_name=event.full_name, sex=event.sex, date_of_birth=event.date_of_birth,
                    status=event.status, cccd=cmd.cccd, phone=cmd.phone)
    placement = MemberPlacement(member_id=member.id, organization_id=event.organization_id,
                                valid_from=event.effective_from)
    session.add(member)
    session.flush()
    session.add(placement)
    return member, placement


def _ensure_unique(session, cmd: NewMember) -> None:
    if cmd.id is not None and session.get(Member, cmd.id) is not None:
        raise ValidationFailed.of("id", "Mã đảng viên đã tồn tại", "This member id exists already")
    if cmd.cccd and session.exec(select(Member.id).where(Member.cccd == cmd.cccd)).first() is not None:
        raise _duplicate_cccd()


def _duplicate_cccd() -> ValidationFailed:
    return ValidationFailed.of("cccd", "Số CCCD này đã được dùng cho một đảng viên khác",
                               "This citizen ID (CCCD) already belongs to another member")


def _commit_unique(uow: UnitOfWork) -> None:
    """Commit; a CCCD taken by a concurrent registration still answers as a field error."""
    try:
        uow.commit()
    except IntegrityError as exc:
        if "cccd" in str(exc.orig).lower():
            raise _duplicate_cccd() from None
        raise


def _detached(uow: UnitOfWork, result: T) -> T:
    """Read results outlive the session: the closing rollback must not expire them."""
    uow.session.expunge_all()
    return result


def organization_detail(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal,
                        today: date | None = None) -> tuple[Organization, uuid.UUID | None, int]:
    today = today or date.today()
    with uow:
        if uow.session.get(Organization, org_id) is None:
            raise NotFound("Không tìm thấy tổ chức", "Organization not found")
        authorize(uow.session, principal, org_id, today=today)
        return _detached(uow, queries.organizations(uow.session, [org_id], today)[0])


def organizations_in_scope(uow: UnitOfWork, principal: Principal, today: date | None = None):
    """The caller's subtree (their organization first), each with parent and member count."""
    today = today or date.today()
    with uow:
        return _detached(uow, queries.organizations(uow.session, queries.subtree(uow.session, principal.org_id, today),
                                                    today))


def members_in(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, today: date | None = None):
    today = today or date.today()
    with uow:
        if uow.session.get(Organization, org_id) is None:
            raise ValidationFailed.of("organization_id", "Không tìm thấy tổ chức này", "No such organization")
        authorize(uow.session, principal, org_id, today=today)
        return _detached(uow, queries.members_of(uow.session, org_id, today))
