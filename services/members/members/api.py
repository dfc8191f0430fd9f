"""Members JSON API: organizations and members (login lives in web.py)."""
from __future__ import annotations

import uuid

from fastapi import APIRouter, Depends, Request

from members import usecases
from members.domain import NewMember, NewOrganization
from members.schemas import (MemberCreate, MemberPublic, MembersPublic, OrganizationCreate, OrganizationPublic,
                             OrganizationsPublic, member_public, organization_public)
from shared.auth import CurrentPrincipal
from shared.uow import UnitOfWork

router = APIRouter(prefix="/members/api", tags=["members"])


def get_uow(request: Request) -> UnitOfWork:
    runtime = request.app.state.runtime
    return UnitOfWork(runtime.engine, runtime.outbox, after_commit=runtime.notify_relay)


@router.post("/organizations", status_code=201, response_model=OrganizationPublic)
def create_organization(body: OrganizationCreate, principal: CurrentPrincipal,
                        uow: UnitOfWork = Depends(get_uow)) -> OrganizationPublic:
    """Create a party organization under a parent in your subtree."""
    org = usecases.create_organization(uow, NewOrganization(**body.model_dump()), principal)
    return organization_public(org, body.parent_id)


@router.get("/organizations", response_model=OrganizationsPublic)
def list_organizations(principal: CurrentPrincipal, uow: UnitOfWork = Depends(get_uow)) -> OrganizationsPublic:
    """Your organization and everything under it, with member counts."""
    rows = usecases.organizations_in_scope(uow, principal)
    return OrganizationsPublic(items=[organization_public(*row) for row in rows], count=len(rows))


@router.get("/organizations/{org_id}", response_model=OrganizationPublic)
def get_organization(org_id: uuid.UUID, principal: CurrentPrincipal,
                     uow: UnitOfWork = Depends(get_uow)) -> OrganizationPublic:
    """One organization in your subtree, with its parent and member count."""
    return organization_public(*usecases.organization_detail(uow, org_id, principal))


@router.post("/members", status_code=201, response_model=MemberPublic)
def register_member(body: MemberCreate, request: Request, principal: CurrentPrincipal,
                    uow: UnitOfWork = Depends(get_uow)) -> MemberPublic:
    """Register a member in a cell of your subtree."""
    min_age = request.app.state.settings.min_admission_age
    member, placement = usecases.register_member(uow, NewMember(**body.model_dump()), principal, min_age=min_age)
    return member_public(member, placement)


@router.get("/members", response_model=MembersPublic)
def list_members(organization_id: uuid.UUID, principal: CurrentPrincipal,
                 uow: UnitOfWork = Depends(get_uow)) -> MembersPublic:
    """Members placed in an organization of your subtree (current and upcoming placements)."""
    rows = usecases.members_in(uow, organization_id, principal)
    return MembersPublic(organization_id=organization_id, items=[member_public(*r) for r in rows], count=len(rows))
