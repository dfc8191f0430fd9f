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


class ProfileFields(BaseModel):
    """The official profile's fields (domain.md §7) a member is entered with: by registration, transfer in and
    admission alike; every one optional, each with its length limit."""

    cccd: str | None = Field(None, max_length=20, examples=["025190012345"])
    phone: str | None = Field(None, max_length=20)
    birth_name: str | None = Field(None, max_length=200)
    aliases: str | None = Field(None, max_length=200)
    place_of_birth: str | None = Field(None, max_length=300)
    hometown: str | None = Field(None, max_length=300)
    ethnicity: str | None = Field(None, max_length=50, examples=["Kinh"])
    religion: str | None = Field(None, max_length=50, examples=["Không"])
    permanent_residence: str | None = Field(None, max_length=300)
    temporary_residence: str | None = Field(None, max_length=300)
    education_level: str | None = Field(None, max_length=50, examples=["12/12"])
    professional_level: str | None = Field(None, max_length=100, examples=["Đại học"])
    political_theory_level: str | None = Field(None, max_length=50, examples=["trung_cap"])
    occupation: str | None = Field(None, max_length=100)
    position: str | None = Field(None, max_length=200)
    employer_unit: str | None = Field(None, max_length=300)


class MemberCreate(ProfileFields):
    full_name: str = Field(min_length=1, max_length=200, examples=["Nguyễn Thị Lan"])
    sex: Literal["male", "female"]
    date_of_birth: date
    status: MemberStatus
    organization_id: uuid.UUID
    effective_from: date
    # 0002: the official profile (domain.md §7, ProfileFields) and the admission record
    admission_decision_date: date | None = None
    admission_ceremony_date: date | None = None
    official_date: date | None = None


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


# ---------------------------------------------------------------------------
# 0002: tree changes, history, lifecycle commands and due lists
# ---------------------------------------------------------------------------

PROFILE_FIELDS = ("birth_name", "aliases", "place_of_birth", "hometown", "ethnicity", "religion",
                  "permanent_residence", "temporary_residence", "education_level", "professional_level",
                  "political_theory_level", "occupation", "position", "employer_unit")


def details_of(body: BaseModel) -> dict:
    return {f: getattr(body, f) for f in PROFILE_FIELDS if getattr(body, f, None) is not None}


class OrganizationRename(BaseModel):
    name: str = Field(min_length=1, max_length=300)
    effective_from: date


class OrganizationReclassify(BaseModel):
    kind: OrgKind
    sector: Sector
    cluster: str | None = Field(None, max_length=100)
    effective_from: date


class OrganizationMove(BaseModel):
    parent_id: uuid.UUID
    effective_from: date


class OrganizationDissolve(BaseModel):
    effective_from: date
    merged_into_id: uuid.UUID | None = None


class OrgChangeResult(BaseModel):
    organization_id: uuid.UUID
    events: list[str]


class OrganizationVersionPublic(BaseModel):
    valid_from: date
    valid_to: date | None
    name: str
    kind: str
    sector: str
    cluster: str | None


class ParentLinkPublic(BaseModel):
    parent_id: uuid.UUID
    valid_from: date
    valid_to: date | None


class OrganizationOnDate(BaseModel):
    organization_id: uuid.UUID
    on: date
    in_force: bool
    name: str
    kind: str
    sector: str
    cluster: str | None
    parent_id: uuid.UUID | None
    versions: list[OrganizationVersionPublic]
    parents: list[ParentLinkPublic]


class StructureWarningPublic(BaseModel):
    organization_id: uuid.UUID
    rule: str
    official_members: int
    msg_vi: str
    msg_en: str


class StructureWarningsPublic(BaseModel):
    organization_id: uuid.UUID
    on: date
    items: list[StructureWarningPublic]
    count: int


class WarningPublic(BaseModel):
    field: str
    msg: str
    msg_vi: str
    msg_en: str


class PlacementPublic(BaseModel):
    organization_id: uuid.UUID
    valid_from: date
    valid_to: date | None


class MemberDetail(BaseModel):
    id: uuid.UUID
    full_name: str
    sex: str
    date_of_birth: date
    status: str
    organization_id: uuid.UUID | None
    cccd: str | None
    phone: str | None
    birth_name: str | None = None
    aliases: str | None = None
    place_of_birth: str | None = None
    hometown: str | None = None
    ethnicity: str | None = None
    religion: str | None = None
    permanent_residence: str | None = None
    temporary_residence: str | None = None
    education_level: str | None = None
    professional_level: str | None = None
    political_theory_level: str | None = None
    occupation: str | None = None
    position: str | None = None
    employer_unit: str | None = None
    party_card_number: str | None = None
    party_card_issued_on: date | None = None
    admission_decision_date: date | None = None
    admission_ceremony_date: date | None = None
    official_date: date | None = None
    ended_on: date | None = None
    end_reason: str | None = None
    exempt_since: date | None = None
    on_temporary_transfer_since: date | None = None
    transfer_pending: bool = False
    badges: list[int] = []
    party_age_years: int | None = Field(None, description="Computed from the admission decision date, less gaps")
    party_age_months: int | None = None


class MemberCommandResult(BaseModel):
    member: MemberDetail
    events: list[str]
    warnings: list[WarningPublic] = []


class ProfileUpdate(ProfileFields):
    """Only the fields sent are changed (null clears a text field)."""

    full_name: str | None = Field(None, max_length=200)
    sex: Literal["male", "female"] | None = None
    date_of_birth: date | None = None
    effective_from: date | None = None


class AdmissionCreate(ProfileFields):
    full_name: str = Field(min_length=1, max_length=200)
    sex: Literal["male", "female"]
    date_of_birth: date
    organization_id: uuid.UUID
    considered_on: date = Field(description="The cell meeting that considered the application")
    decision_date: date = Field(description="Signing date of the admission decision (party age starts here)")
    ceremony_date: date = Field(description="Admission ceremony: probation runs 12 months from it")
    provincial_decision: bool = Field(False, description="Over 60: admitted by a provincial-level decision")


class TransferInCreate(MemberCreate):
    origin: str = Field(min_length=1, max_length=300, description="Where the member comes from (outside the province)")


class DecisionBody(BaseModel):
    decision_date: date


class TransferLetter(BaseModel):
    to_organization_id: uuid.UUID | None = None
    destination: str | None = Field(None, max_length=300, description="Outside the province")
    moved_on: date | None = Field(None, description="Job move, retirement or relocation behind the transfer")
    letter_issued_on: date


class TransferReceipt(BaseModel):
    received_on: date


class TemporaryTransferBody(BaseModel):
    host_organization_id: uuid.UUID | None = None
    host_name: str | None = Field(None, max_length=300, description="A host outside the province")
    effective_from: date
    until: date
    study: bool = False


class DateBody(BaseModel):
    effective_from: date


class CardBody(BaseModel):
    card_number: str = Field(min_length=1, max_length=20)
    issued_on: date
    replacement: bool = False


class BadgeBody(BaseModel):
    years: int
    awarded_on: date
    serious_illness: bool = False


class ExemptionBody(BaseModel):
    effective_from: date
    reason: str | None = Field(None, max_length=300)


class MembershipEndBody(BaseModel):
    reason: Literal["removed", "expelled", "exited", "deceased"]
    effective_from: date
    decision_date: date | None = None
    cause: Literal["quit_activities", "resigned", "serious_disunity", "corruption", "serious_crime", "unpaid_fees",
                   "family_hardship", "other"] | None = None


class ReadmissionBody(BaseModel):
    organization_id: uuid.UUID
    considered_on: date
    decision_date: date
    ceremony_date: date
    provincial_decision: bool = False


class MemberOrganizationOnDate(BaseModel):
    member_id: uuid.UUID
    on: date
    organization_id: uuid.UUID | None
    placements: list[PlacementPublic]


class ChangePublic(BaseModel):
    at: str
    actor: str
    action: str
    before: dict | None
    after: dict | None


class MemberHistory(BaseModel):
    member_id: uuid.UUID
    items: list[ChangePublic]


class ProbationDuePublic(BaseModel):
    member_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID | None
    ceremony_date: date
    due_on: date
    decide_by: date
    due: bool
    overdue: bool


class ProbationDueList(BaseModel):
    organization_id: uuid.UUID
    items: list[ProbationDuePublic]
    count: int


class BadgeDuePublic(BaseModel):
    member_id: uuid.UUID
    full_name: str
    organization_id: uuid.UUID | None
    years: int
    reached_on: date
    early_only: bool


class BadgeDueList(BaseModel):
    organization_id: uuid.UUID
    award_date: date
    items: list[BadgeDuePublic]
    count: int


class PendingTransferPublic(BaseModel):
    member_id: uuid.UUID
    full_name: str
    from_organization_id: uuid.UUID
    to_organization_id: uuid.UUID | None
    letter_issued_on: date
    present_by: date
    overdue: bool


class PendingTransferList(BaseModel):
    organization_id: uuid.UUID
    items: list[PendingTransferPublic]
    count: int


def member_detail(view) -> MemberDetail:
    m, state = view.member, view.state
    years, months = view.party_age if view.party_age else (None, None)
    return MemberDetail(**{f: getattr(m, f) for f in MemberDetail.model_fields if hasattr(m, f) and f != "id"},
                        id=m.id, organization_id=state.organization_id,
                        on_temporary_transfer_since=state.temporary_from, transfer_pending=state.pending_transfer,
                        badges=list(state.badges), party_age_years=years, party_age_months=months)


def warning_public(problem) -> WarningPublic:
    return WarningPublic(field=problem.field, msg=f"{problem.vi} / {problem.en}", msg_vi=problem.vi, msg_en=problem.en)
