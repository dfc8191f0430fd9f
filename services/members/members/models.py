"""Tables of the members service (its own registry: every service shares one
pytest process, so nothing goes on the global SQLModel.metadata)."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone

from sqlalchemy import Column, Index, Text, delete, event, insert, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import registry
from sqlmodel import Field, SQLModel

from members.searchkey import search_key
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
    merged_into_id: uuid.UUID | None = Field(default=None)  # 0002: set when dissolved by a merge


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
    __table_args__ = (Index("ux_member_party_card_number", "party_card_number", unique=True),
                      Index("ix_member_search_name", "search_name", "id"),  # 0003: search, the list's order
                      Index("ix_member_cell", "cell_id", "search_name"),
                      # 0004: filters without text read this index alone (count, then the page sorted by name)
                      Index("ix_member_filter", "status", "date_of_birth", "cell_id", "search_name", "id"))
    id: uuid.UUID = Field(primary_key=True)
    full_name: str = Field(max_length=200)
    sex: str = Field(max_length=10)
    date_of_birth: date
    status: str = Field(max_length=20)
    cccd: str | None = Field(default=None, max_length=12, unique=True)
    phone: str | None = Field(default=None, max_length=20)
    created_at: datetime = Field(default_factory=_now)
    # 0002: the official profile (domain.md §7) and the lifecycle dates; status also "ended", "transferred_out"
    birth_name: str | None = Field(default=None, max_length=200)
    aliases: str | None = Field(default=None, max_length=200)
    place_of_birth: str | None = Field(default=None, max_length=300)
    hometown: str | None = Field(default=None, max_length=300)
    ethnicity: str | None = Field(default=None, max_length=50)
    religion: str | None = Field(default=None, max_length=50)
    permanent_residence: str | None = Field(default=None, max_length=300)
    temporary_residence: str | None = Field(default=None, max_length=300)
    education_level: str | None = Field(default=None, max_length=50)
    professional_level: str | None = Field(default=None, max_length=100)
    political_theory_level: str | None = Field(default=None, max_length=50)
    occupation: str | None = Field(default=None, max_length=100)
    position: str | None = Field(default=None, max_length=200)
    employer_unit: str | None = Field(default=None, max_length=300)
    party_card_number: str | None = Field(default=None, max_length=20)
    party_card_issued_on: date | None = None
    admission_decision_date: date | None = None
    admission_ceremony_date: date | None = None
    official_date: date | None = None
    party_age_start: date | None = None  # the first admission decision date
    ended_on: date | None = None
    end_reason: str | None = Field(default=None, max_length=40)
    end_cause: str | None = Field(default=None, max_length=40)
    readmissions: int = Field(default=0)
    exempt_since: date | None = None
    # 0003: full name without diacritics, lower case (searchkey.search_key), kept by the ORM hook below
    search_name: str | None = Field(default=None, max_length=200)
    # 0003: the cell of the member's latest placement (kept by the placement hook below; the cell left, once ended)
    cell_id: uuid.UUID | None = Field(default=None)


@event.listens_for(Member, "before_insert")
@event.listens_for(Member, "before_update")
def _keep_search_name(_mapper, _connection, member: Member) -> None:
    member.search_name = search_key(member.full_name)


class NameWord(Base, table=True):
    """0004: every word ever seen in a member's name key (a small vocabulary: the words a typed word is part of
    are looked up here, not in 100,000 names). Never pruned: a word nobody bears any more finds nothing."""

    __tablename__ = "name_word"
    word: str = Field(primary_key=True, max_length=200)


class MemberNameToken(Base, table=True):
    """0004: one row per distinct word of a member's name key, with the whole key (so a name search reads this
    index alone, in name order). Kept by the hooks below whenever ``member.search_name`` changes."""

    __tablename__ = "member_name_token"
    __table_args__ = (Index("ix_member_name_token_member", "member_id"), {"sqlite_with_rowid": False})
    token: str = Field(primary_key=True, max_length=200)
    search_name: str = Field(primary_key=True, max_length=200)
    member_id: uuid.UUID = Field(primary_key=True)


def name_token_rows(member_id: uuid.UUID, key: str | None) -> list[dict]:
    """The ``member_name_token`` rows of a member whose name key is ``key``."""
    return [{"token": word, "search_name": key, "member_id": member_id} for word in sorted(set((key or "").split()))]


def insert_name_words(connection, words) -> None:
    """Add words to the vocabulary; a word already there (or added by a concurrent writer) is left alone."""
    words = sorted(set(words))
    if not words:
        return
    dialect = postgresql if connection.dialect.name == "postgresql" else sqlite
    connection.execute(dialect.insert(NameWord.__table__).on_conflict_do_nothing(), [{"word": w} for w in words])


@event.listens_for(Member, "after_insert")
@event.listens_for(Member, "after_update")
def _keep_name_tokens(_mapper, connection, member: Member) -> None:
    """The member's name tokens follow its name key (checked against the stored rows, so any write path that goes
    through the ORM — registration, profile change, rename, readmission — keeps them)."""
    table = MemberNameToken.__table__
    stored = connection.execute(select(table.c.search_name).where(table.c.member_id == member.id).limit(1)).first()
    rows = name_token_rows(member.id, member.search_name)
    if (stored[0] if stored else None) == (member.search_name if rows else None):
        return
    connection.execute(delete(table).where(table.c.member_id == member.id))
    if rows:
        insert_name_words(connection, (r["token"] for r in rows))
        connection.execute(insert(table), rows)


class MemberPlacement(Base, table=True):
    """Effective-dated placement of a member in a cell."""

    __tablename__ = "member_placement"
    __table_args__ = (Index("ix_member_placement_org", "organization_id", "valid_from"),
                      Index("ix_member_placement_member", "member_id", "valid_from"),
                      Index("ix_member_placement_open", "valid_to", "member_id", "organization_id"))  # 0003
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    organization_id: uuid.UUID = Field(foreign_key="organization.id")
    valid_from: date
    valid_to: date | None = None  # exclusive


@event.listens_for(MemberPlacement, "after_insert")
def _keep_member_cell(_mapper, connection, placement: MemberPlacement) -> None:
    """Placements are only ever appended (a move closes one and adds the next): the newest is the member's cell."""
    table = Member.__table__
    connection.execute(table.update().where(table.c.id == placement.member_id)
                       .values(cell_id=placement.organization_id))


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


class OrganizationVersion(Base, table=True):
    """Effective-dated name and classification of an organization (0002)."""

    __tablename__ = "organization_version"
    __table_args__ = (Index("ix_organization_version_org", "org_id", "valid_from"),)
    id: int | None = Field(default=None, primary_key=True)
    org_id: uuid.UUID = Field(foreign_key="organization.id")
    valid_from: date
    valid_to: date | None = None  # exclusive
    name: str = Field(max_length=300)
    kind: str = Field(max_length=40)
    sector: str = Field(max_length=40)
    cluster: str | None = Field(default=None, max_length=100)


class MemberGap(Base, table=True):
    """A period that does not count towards party age (after removal, expulsion, exit; until readmission)."""

    __tablename__ = "member_gap"
    __table_args__ = (Index("ix_member_gap_member", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    gap_from: date
    gap_to: date | None = None  # exclusive; open while it lasts
    cause: str = Field(max_length=40)


class MemberTransfer(Base, table=True):
    """Official transfers (a letter, then its receipt) and temporary transfers (from … until)."""

    __tablename__ = "member_transfer"
    __table_args__ = (Index("ix_member_transfer_member", "member_id"), Index("ix_member_transfer_state", "state"))
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    kind: str = Field(max_length=20)  # official | temporary
    state: str = Field(max_length=20)  # pending | done (official); active | ended (temporary)
    from_organization_id: uuid.UUID = Field(foreign_key="organization.id")
    to_organization_id: uuid.UUID | None = Field(default=None, foreign_key="organization.id")
    destination: str | None = Field(default=None, max_length=300)  # outside the province
    moved_on: date | None = None  # the job move / retirement / relocation behind it
    letter_issued_on: date | None = None
    received_on: date | None = None
    valid_from: date | None = None
    until: date | None = None
    ended_on: date | None = None
    study: bool = False


class MemberBadge(Base, table=True):
    __tablename__ = "member_badge"
    __table_args__ = (Index("ux_member_badge", "member_id", "years", unique=True),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    years: int
    awarded_on: date
    early: bool = False


class MemberExemption(Base, table=True):
    __tablename__ = "member_exemption"
    __table_args__ = (Index("ix_member_exemption_member", "member_id"),)
    id: int | None = Field(default=None, primary_key=True)
    member_id: uuid.UUID = Field(foreign_key="member.id")
    valid_from: date
    valid_to: date | None = None
    reason: str | None = Field(default=None, max_length=300)


class HrImportJob(Base, table=True):
    """0003: an HR import preview or commit running in the background, with its progress for the web page."""

    __tablename__ = "hr_import_job"
    id: uuid.UUID = Field(primary_key=True)
    kind: str = Field(max_length=10)  # preview | commit
    status: str = Field(max_length=10)  # running | done | failed
    phase: str = Field(default="", max_length=20)  # reading | matching | applying
    done_rows: int = 0
    total_rows: int | None = None  # None while unknown
    filename: str = Field(default="", max_length=300)
    import_id: uuid.UUID | None = None  # the preview (hr_import) it made or commits
    error_vi: str | None = Field(default=None, max_length=500)
    error_en: str | None = Field(default=None, max_length=500)
    created_by: str = Field(max_length=100)
    scope_org_id: uuid.UUID | None = None
    created_at: datetime = Field(default_factory=_now)
    finished_at: datetime | None = None


outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
