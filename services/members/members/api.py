"""Members JSON API: organizations and members (login lives in web.py)."""
from __future__ import annotations

import json
import uuid
from datetime import date

from fastapi import APIRouter, Depends, Request

from members import schemas, usecases
from members.domain import Admission, NewMember, NewOrganization, Readmission
from members.schemas import (MemberCreate, MemberPublic, MembersPublic, OrganizationCreate, OrganizationPublic,
                             OrganizationsPublic, member_public, organization_public)
from shared import clock
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
    base = body.model_dump(exclude=set(schemas.PROFILE_FIELDS))
    cmd = NewMember(**base, details=schemas.details_of(body))
    member, placement = usecases.register_member(uow, cmd, principal, min_age=min_age)
    return member_public(member, placement)


@router.get("/members", response_model=MembersPublic)
def list_members(organization_id: uuid.UUID, principal: CurrentPrincipal,
                 uow: UnitOfWork = Depends(get_uow)) -> MembersPublic:
    """Members placed in an organization of your subtree (current and upcoming placements)."""
    rows = usecases.members_in(uow, organization_id, principal)
    return MembersPublic(organization_id=organization_id, items=[member_public(*r) for r in rows], count=len(rows))


# ---------------------------------------------------------------------------
# 0002: the tree from a date, history, structure warnings, lifecycle commands, due lists
# ---------------------------------------------------------------------------

def _org_result(outcome) -> schemas.OrgChangeResult:
    return schemas.OrgChangeResult(organization_id=outcome.entity.id, events=[e.subject for e in outcome.events])


@router.post("/organizations/{org_id}/rename", response_model=schemas.OrgChangeResult)
def rename_organization(org_id: uuid.UUID, body: schemas.OrganizationRename, principal: CurrentPrincipal,
                        uow: UnitOfWork = Depends(get_uow)) -> schemas.OrgChangeResult:
    """Rename an organization below yours from a date (OrganizationRenamed)."""
    return _org_result(usecases.rename_organization(uow, org_id, body.name, body.effective_from, principal))


@router.post("/organizations/{org_id}/reclassify", response_model=schemas.OrgChangeResult)
def reclassify_organization(org_id: uuid.UUID, body: schemas.OrganizationReclassify, principal: CurrentPrincipal,
                            uow: UnitOfWork = Depends(get_uow)) -> schemas.OrgChangeResult:
    """Change kind, sector or cluster from a date (OrganizationReclassified)."""
    return _org_result(usecases.reclassify_organization(uow, org_id, body.kind, body.sector, body.cluster,
                                                        body.effective_from, principal))


@router.post("/organizations/{org_id}/move", response_model=schemas.OrgChangeResult)
def move_organization(org_id: uuid.UUID, body: schemas.OrganizationMove, principal: CurrentPrincipal,
                      uow: UnitOfWork = Depends(get_uow)) -> schemas.OrgChangeResult:
    """Move an organization and its subtree under another parent from a date (OrganizationMoved)."""
    return _org_result(usecases.move_organization(uow, org_id, body.parent_id, body.effective_from, principal))


@router.post("/organizations/{org_id}/dissolve", response_model=schemas.OrgChangeResult)
def dissolve_organization(org_id: uuid.UUID, body: schemas.OrganizationDissolve, principal: CurrentPrincipal,
                          uow: UnitOfWork = Depends(get_uow)) -> schemas.OrgChangeResult:
    """Dissolve from a date; with merged_into_id, merge: children and members move there (OrganizationDissolved,
    OrganizationMoved, MemberTransferred)."""
    return _org_result(usecases.dissolve_organization(uow, org_id, body.effective_from, principal,
                                                      merged_into_id=body.merged_into_id))


@router.get("/organizations/{org_id}/on", response_model=schemas.OrganizationOnDate)
def organization_on(org_id: uuid.UUID, on: date, principal: CurrentPrincipal,
                    uow: UnitOfWork = Depends(get_uow)) -> schemas.OrganizationOnDate:
    """The organization's name, classification and parent on a date, with its whole history."""
    view = usecases.organization_on(uow, org_id, on, principal)
    return schemas.OrganizationOnDate(
        organization_id=view.organization_id, on=view.on, in_force=view.in_force, name=view.name, kind=view.kind,
        sector=view.sector, cluster=view.cluster, parent_id=view.parent_id,
        versions=[schemas.OrganizationVersionPublic.model_validate(v, from_attributes=True) for v in view.versions],
        parents=[schemas.ParentLinkPublic.model_validate(p, from_attributes=True) for p in view.parents])


@router.get("/organizations/{org_id}/structure-warnings", response_model=schemas.StructureWarningsPublic)
def structure_warnings(org_id: uuid.UUID, principal: CurrentPrincipal, on: date | None = None,
                       uow: UnitOfWork = Depends(get_uow)) -> schemas.StructureWarningsPublic:
    """domain.md §5 structure rules for every organization of the subtree, as warnings."""
    on = on or clock.today()
    items = [schemas.StructureWarningPublic(organization_id=w.organization_id, rule=w.rule,
                                            official_members=w.official_members, msg_vi=w.vi, msg_en=w.en)
             for w in usecases.structure_warnings(uow, org_id, principal, on)]
    return schemas.StructureWarningsPublic(organization_id=org_id, on=on, items=items, count=len(items))


@router.get("/organizations/{org_id}/probation-due", response_model=schemas.ProbationDueList)
def probation_due(org_id: uuid.UUID, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)) -> schemas.ProbationDueList:
    """Probationary members of the subtree: when they are due, the decision deadline, overdue flags."""
    today = clock.today()
    items = [schemas.ProbationDuePublic(member_id=m.id, full_name=m.full_name, organization_id=s.organization_id,
                                        ceremony_date=s.admission_ceremony_date, due_on=d.due_on,
                                        decide_by=d.decide_by, due=d.due_on <= today, overdue=d.overdue)
             for m, s, d in usecases.probation_due_list(uow, org_id, principal, today)]
    return schemas.ProbationDueList(organization_id=org_id, items=items, count=len(items))


@router.get("/organizations/{org_id}/badges-due", response_model=schemas.BadgeDueList)
def badges_due(org_id: uuid.UUID, principal: CurrentPrincipal,
               uow: UnitOfWork = Depends(get_uow)) -> schemas.BadgeDueList:
    """Badges due at the next award date (3/2, 19/5, 2/9, 7/11), and those only possible early (serious illness)."""
    award_date, rows = usecases.badges_due_list(uow, org_id, principal)
    items = [schemas.BadgeDuePublic(member_id=m.id, full_name=m.full_name, organization_id=s.organization_id,
                                    years=d.years, reached_on=d.reached_on, early_only=d.early) for m, s, d in rows]
    return schemas.BadgeDueList(organization_id=org_id, award_date=award_date, items=items, count=len(items))


@router.get("/organizations/{org_id}/transfers-pending", response_model=schemas.PendingTransferList)
def transfers_pending(org_id: uuid.UUID, principal: CurrentPrincipal,
                      uow: UnitOfWork = Depends(get_uow)) -> schemas.PendingTransferList:
    """Transfer letters issued from or to the subtree and not yet received, with the presentation deadline."""
    items = [schemas.PendingTransferPublic(member_id=t.member_id, full_name=m.full_name,
                                           from_organization_id=t.from_organization_id,
                                           to_organization_id=t.to_organization_id,
                                           letter_issued_on=t.letter_issued_on, present_by=deadline, overdue=late)
             for t, m, deadline, late in usecases.pending_transfer_list(uow, org_id, principal)]
    return schemas.PendingTransferList(organization_id=org_id, items=items, count=len(items))


def _member_result(uow: UnitOfWork, outcome) -> schemas.MemberCommandResult:
    """The command already checked the caller's rights; the record is read back as the system."""
    view = usecases.member_detail(uow, outcome.entity.id, None)
    return schemas.MemberCommandResult(member=schemas.member_detail(view), events=[e.subject for e in outcome.events],
                                       warnings=[schemas.warning_public(w) for w in outcome.warnings])


@router.post("/admissions", status_code=201, response_model=schemas.MemberCommandResult)
def admit_member(body: schemas.AdmissionCreate, principal: CurrentPrincipal,
                 uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Admit a new probationary member (age 18-60 in months on the consideration date; over 60 by the province)."""
    cmd = Admission(full_name=body.full_name, sex=body.sex, date_of_birth=body.date_of_birth,
                    organization_id=body.organization_id, considered_on=body.considered_on,
                    decision_date=body.decision_date, ceremony_date=body.ceremony_date,
                    details=schemas.details_of(body), cccd=body.cccd, phone=body.phone,
                    provincial_decision=body.provincial_decision)
    return _member_result(uow, usecases.admit_member(uow, cmd, principal))


@router.post("/members/transfer-in", status_code=201, response_model=schemas.MemberCommandResult)
def transfer_in(body: schemas.TransferInCreate, principal: CurrentPrincipal,
                uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Receive a member transferred in from outside the province (MemberTransferReceived)."""
    cmd = NewMember(full_name=body.full_name, sex=body.sex, date_of_birth=body.date_of_birth, status=body.status,
                    organization_id=body.organization_id, effective_from=body.effective_from, cccd=body.cccd,
                    phone=body.phone, details=schemas.details_of(body),
                    admission_decision_date=body.admission_decision_date,
                    admission_ceremony_date=body.admission_ceremony_date, official_date=body.official_date)
    return _member_result(uow, usecases.receive_transfer_in(uow, cmd, body.origin, principal))


@router.get("/members/{member_id}", response_model=schemas.MemberDetail)
def get_member(member_id: uuid.UUID, principal: CurrentPrincipal,
               uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberDetail:
    """A member's record with the computed party age (never typed)."""
    return schemas.member_detail(usecases.member_detail(uow, member_id, principal))


@router.patch("/members/{member_id}", response_model=schemas.MemberCommandResult)
def update_member(member_id: uuid.UUID, body: schemas.ProfileUpdate, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Change profile fields; kept with who, when, before and after (MemberProfileChanged for statistical ones)."""
    changes = body.model_dump(exclude_unset=True, exclude={"effective_from"})
    return _member_result(uow, usecases.update_profile(uow, member_id, changes, principal, body.effective_from))


@router.get("/members/{member_id}/history", response_model=schemas.MemberHistory)
def member_history(member_id: uuid.UUID, principal: CurrentPrincipal,
                   uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberHistory:
    """Every change to the record: who, when, the values before and after."""
    rows = usecases.member_history(uow, member_id, principal)
    return schemas.MemberHistory(member_id=member_id, items=[schemas.ChangePublic(
        at=r.at.isoformat(), actor=r.actor, action=r.action, before=json.loads(r.before) if r.before else None,
        after=json.loads(r.after) if r.after else None) for r in rows])


@router.get("/members/{member_id}/organization", response_model=schemas.MemberOrganizationOnDate)
def member_organization(member_id: uuid.UUID, on: date, principal: CurrentPrincipal,
                        uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberOrganizationOnDate:
    """Which organization the member belonged to on a date."""
    org_id, placements = usecases.member_organization_on(uow, member_id, on, principal)
    return schemas.MemberOrganizationOnDate(member_id=member_id, on=on, organization_id=org_id, placements=[
        schemas.PlacementPublic.model_validate(p, from_attributes=True) for p in placements])


@router.post("/members/{member_id}/official", response_model=schemas.MemberCommandResult)
def make_official(member_id: uuid.UUID, body: schemas.DecisionBody, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Recognise a probationary member as official, as of the 12-month mark (MemberOfficialStatusGranted)."""
    return _member_result(uow, usecases.make_official(uow, member_id, body.decision_date, principal))


@router.post("/members/{member_id}/probation-not-recognized", response_model=schemas.MemberCommandResult)
def refuse_official(member_id: uuid.UUID, body: schemas.DecisionBody, principal: CurrentPrincipal,
                    uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Probation not recognised: the name is removed (MembershipEnded)."""
    return _member_result(uow, usecases.refuse_official(uow, member_id, body.decision_date, principal))


@router.post("/members/{member_id}/transfer-letter", response_model=schemas.MemberCommandResult)
def issue_transfer(member_id: uuid.UUID, body: schemas.TransferLetter, principal: CurrentPrincipal,
                   uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Issue an official transfer letter, to a cell of the province or out of it."""
    return _member_result(uow, usecases.issue_transfer(
        uow, member_id, body.letter_issued_on, principal, to_organization_id=body.to_organization_id,
        destination=body.destination, moved_on=body.moved_on))


@router.post("/members/{member_id}/transfer-receipt", response_model=schemas.MemberCommandResult)
def receive_transfer(member_id: uuid.UUID, body: schemas.TransferReceipt, principal: CurrentPrincipal,
                     uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """The receiving cell took the letter: the member moves (MemberTransferred)."""
    return _member_result(uow, usecases.receive_transfer(uow, member_id, body.received_on, principal))


@router.post("/members/{member_id}/temporary-transfer", response_model=schemas.MemberCommandResult)
def temporary_transfer(member_id: uuid.UUID, body: schemas.TemporaryTransferBody, principal: CurrentPrincipal,
                       uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Temporary transfer, 3 months to under a year (MemberTemporarilyTransferred)."""
    return _member_result(uow, usecases.temporary_transfer(
        uow, member_id, body.effective_from, body.until, principal, host_organization_id=body.host_organization_id,
        host_name=body.host_name, study=body.study))


@router.post("/members/{member_id}/temporary-transfer/end", response_model=schemas.MemberCommandResult)
def end_temporary_transfer(member_id: uuid.UUID, body: schemas.DateBody, principal: CurrentPrincipal,
                           uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    return _member_result(uow, usecases.end_temporary_transfer(uow, member_id, body.effective_from, principal))


@router.post("/members/{member_id}/party-card", response_model=schemas.MemberCommandResult)
def issue_party_card(member_id: uuid.UUID, body: schemas.CardBody, principal: CurrentPrincipal,
                     uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Issue or replace a party card, official members only (PartyCardIssued)."""
    return _member_result(uow, usecases.issue_party_card(uow, member_id, body.card_number, body.issued_on, principal,
                                                         body.replacement))


@router.post("/members/{member_id}/badges", response_model=schemas.MemberCommandResult)
def award_badge(member_id: uuid.UUID, body: schemas.BadgeBody, principal: CurrentPrincipal,
                uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Award a party-age badge on an award date (BadgeAwarded)."""
    return _member_result(uow, usecases.award_badge(uow, member_id, body.years, body.awarded_on, principal,
                                                    body.serious_illness))


@router.post("/members/{member_id}/exemption", response_model=schemas.MemberCommandResult)
def exempt_member(member_id: uuid.UUID, body: schemas.ExemptionBody, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Exempt from work and meetings from a date (MemberExempted)."""
    return _member_result(uow, usecases.exempt_member(uow, member_id, body.effective_from, principal, body.reason))


@router.post("/members/{member_id}/exemption/end", response_model=schemas.MemberCommandResult)
def end_exemption(member_id: uuid.UUID, body: schemas.DateBody, principal: CurrentPrincipal,
                  uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    return _member_result(uow, usecases.end_exemption(uow, member_id, body.effective_from, principal))


@router.post("/members/{member_id}/end", response_model=schemas.MemberCommandResult)
def end_membership(member_id: uuid.UUID, body: schemas.MembershipEndBody, principal: CurrentPrincipal,
                   uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Removal (xóa tên), expulsion, voluntary exit or death (MembershipEnded)."""
    return _member_result(uow, usecases.end_membership(uow, member_id, body.reason, body.effective_from, principal,
                                                       body.decision_date, body.cause))


@router.post("/members/{member_id}/readmission", response_model=schemas.MemberCommandResult)
def readmit_member(member_id: uuid.UUID, body: schemas.ReadmissionBody, principal: CurrentPrincipal,
                   uow: UnitOfWork = Depends(get_uow)) -> schemas.MemberCommandResult:
    """Readmit a former member with a new probation (MemberAdmitted readmission=true)."""
    cmd = Readmission(organization_id=body.organization_id, considered_on=body.considered_on,
                      decision_date=body.decision_date, ceremony_date=body.ceremony_date,
                      provincial_decision=body.provincial_decision)
    return _member_result(uow, usecases.readmit_member(uow, member_id, cmd, principal))
