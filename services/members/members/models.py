"""Tables of the members service (its own registry: every service shares one
pytest process, so nothing goes on the global SQLModel.metadata)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from sqlalchemy import Column, Index, Text
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from shared.inbox import inbox_table
from shared.outbox import outbox_table


def _now() -> datetime:
    return datetime.now(timezone.utc)


class Base(SQLModel, registry=registry()):
    pass


class Organization(Base, table=True):
    id: uuid.UUID = Field(primary_key=True)
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    sector: str = Field(max_length=40)
    cluster: str | None = Field(default=None, max_length=100)
    created_on: date
    dissolved_on: date | None = None
    created_at: datetime = Field(default_factory=_now)


class OrganizationParent(Base, table=True):
    """Effective-dated parent links: the parent of an organization on any date."""

    __tablename__ = "organization_parent"
    __table_args__ = (Index("ix_organization_parent_org", "org_id", "valid_from"),
                      Index("ix_organization_parent_parent", "parent_id"))
    id: int | None = Field(default=None, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="organization.id")
    parent_id: uuid.UUID = Field(foreign_key="organization.id")
    valid_from: date
    valid_to: date | None = None  # exclusive


class Member(Base, table=True):
    id: uuid.UUID = Field(primary_key=True)
    full_name: str = Field(max_length=200)
    sex: str = Field(max_length=10)
    date_of_birth: date
    status: str = Field(max_length=20)
    cccd: str | None = Field(default=None, max_length=12, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=_now)


class MemberPlacement(Base, table=True):
    """Effective-dated placement of a member in a cell."""

    __tablename__ = "member_placement"
    __table_args__ = (Index("ix_member_placement_org", "organization_id", "valid_from"),
                      Index("ix_member_placement_member", "member_id", "valid_from"))
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    valid_from: date
    valid_to: date | None = None  # exclusive


class UserAccount(Base, table=True):
    __tablename__ = "user_account"
    username: str = Field(primary_key=True, max_length=100)
    password_hash: str = Field(max_length=300)
    role: str = Field(max_length=20)
    org_id: uuid.UUID = Field(foreign_key="organization.id")
    display_name: str = Field(default="", max_length=200)
    created_at: datetime = Field(default_factory=_now)


class ChangeLog(Base, table=True):
    """Append-only audit trail written by the use cases: who changed what, before and after."""

    __tablename__ = "change_log"
    __table_args__ = (Index("ix_change_log_entity", "entity", "entity_id"),)
    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=_now)
    actor: str = Field(max_length=100)
    entity: str = Field(max_length=50)
    entity_id: str = Field(max_length=100)
    action: str = Field(max_length=50)
    before: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    after: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    correlation_id: str | None = Field(default=None, max_length=64)


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
