"""Request and response models of the members API."""
from __future__ import annotations

import uuid
from datetime import date
from typing import Literal

from pydantic import BaseModel, Field

from shared.events import MemberStatus, OrgKind, Sector


class OrganizationCreate(BaseModel):
    name: str = Field(min_length=1, max_length=300, examples=["Chi bộ Văn phòng Tỉnh ủy"])
    kind: OrgKind
    sector: Sector = "other"
    parent_id: uuid.UUID
    cluster: str | None = Field(None, max_length=100)
    effective_from: date


class OrganizationPublic(BaseModel):
    id: uuid.UUID
    name: str
    kind: str
    sector: str
    cluster: str | None
    parent_id: uuid.UUID | None
    effective_from: date
    dissolved_on: date | None = None
    member_count: int = 0


class OrganizationsPublic(BaseModel):
    items: list[OrganizationPublic]
    count: int


class MemberCreate(BaseModel):
    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Thị Lan"])
    sex: Literal["male", "female"]
    date_of_birth: date
    status: MemberStatus
    organization_id: uuid.UUID
    effective_from: date
    cccd: str | None = Field(None, max_length=20, examples=["025190012345"])
    phone: str | None = Field(None, max_length=20)


class MemberPublic(BaseModel):
    id: uuid.UUID
    full_name: str
    sex: str
    date_of_birth: date
    status: str
    organization_id: uuid.UUID
    effective_from: date
    cccd: str | None
    phone: str | None


class MembersPublic(BaseModel):
    organization_id: uuid.UUID
    items: list[MemberPublic]
    count: int


class LoginRequest(BaseModel):
    username: str = Field(min_length=1, max_length=100)
    password: str = Field(min_length=1, max_length=200)


class LoginResult(BaseModel):
    access_token: str
    token_type: Literal["bearer"] = "bearer"
    role: str
    org_id: uuid.UUID
    name: str


class LogoutResult(BaseModel):
    status: Literal["signed_out"] = "signed_out"


def organization_public(org, parent_id: uuid.UUID | None, member_count: int = 0) -> OrganizationPublic:
    return OrganizationPublic(id=org.id, name=org.name, kind=org.kind, sector=org.sector, cluster=org.cluster,
                              parent_id=parent_id, effective_from=org.created_on, dissolved_on=org.dissolved_on,
                              member_count=member_count)


def member_public(member, placement) -> MemberPublic:
    return MemberPublic(id=member.id, full_name=member.full_name, sex=member.sex, date_of_birth=member.date_of_birth,
                        status=member.status, organization_id=placement.organization_id,
                        effective_from=placement.valid_from, cccd=member.cccd, phone=member.phone)
