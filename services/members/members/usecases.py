"""Use cases: the transaction boundary. Each checks the caller's rights and the
domain rules, writes the rows and the change log, and enqueues its event in the
outbox in the same transaction."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field, replace
from datetime import date, timedelta
from typing import TypeVar

from sqlalchemy.exc import IntegrityError
from sqlmodel import select

from members import audit, domain, queries
from members import rules as rulebook
from members.domain import NewMember, NewOrganization, OrgRef, RuleError, new_organization, register
from members.models import (Member, MemberBadge, MemberExemption, MemberGap, MemberPlacement, MemberTransfer,
                            Organization, OrganizationParent, OrganizationVersion)
from members.rights import DECISION_MAKERS, MEMBER_WRITERS, ORGANIZATION_WRITERS, authorize, require_role
from shared import clock
from shared.auth import Principal
from shared.errors import FieldProblem, Forbidden, NotFound, ValidationFailed
from shared.events import Event, MemberRegistered, MemberTransferred, OrganizationCreated
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
    today = today or clock.today()
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
                            "phone": cmd.phone, **(cmd.details or {})})
        uow.publish(event)
        _commit_unique(uow)
    return member, placement


def _store_member(session, event: MemberRegistered, cmd: NewMember) -> tuple[Member, MemberPlacement]:
    text = {k: (" ".join(str(v).split()) or None) for k, v in (cmd.details or {}).items()
            if k in domain.PROFILE_TEXT_FIELDS and v is not None}
    member = Member(id=event.member_id, full_name=event.full_name, sex=event.sex, date_of_birth=event.date_of_birth,
                    status=event.status, cccd=cmd.cccd, phone=cmd.phone, **text,
                    admission_decision_date=cmd.admission_decision_date,
                    admission_ceremony_date=cmd.admission_ceremony_date, official_date=cmd.official_date,
                    party_age_start=cmd.admission_decision_date)
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
    today = today or clock.today()
    with uow:
        if uow.session.get(Organization, org_id) is None:
            raise NotFound("Không tìm thấy tổ chức", "Organization not found")
        authorize(uow.session, principal, org_id, today=today)
        return _detached(uow, queries.organizations(uow.session, [org_id], today)[0])


def organizations_in_scope(uow: UnitOfWork, principal: Principal, today: date | None = None):
    """The caller's subtree (their organization first), each with parent and member count."""
    today = today or clock.today()
    with uow:
        return _detached(uow, queries.organizations(uow.session, queries.subtree(uow.session, principal.org_id, today),
                                                    today))


def members_in(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, today: date | None = None):
    today = today or clock.today()
    with uow:
        if uow.session.get(Organization, org_id) is None:
            raise ValidationFailed.of("organization_id", "Không tìm thấy tổ chức này", "No such organization")
        authorize(uow.session, principal, org_id, today=today)
        return _detached(uow, queries.members_of(uow.session, org_id, today))


# ---------------------------------------------------------------------------
# 0002: the organization tree from a date, member records, the lifecycle
# ---------------------------------------------------------------------------



@dataclass
class Outcome:
    """What a command did: the row it changed, the events it published, the warnings to show."""

    entity: object
    events: list[Event] = field(default_factory=list)
    warnings: list[domain.Problem] = field(default_factory=list)


def _rule_call(fn, *args, **kwargs):
    try:
        return fn(*args, **kwargs)
    except RuleError as err:
        raise _invalid(err) from None


def _lineage_day(session, org_id: uuid.UUID, today: date) -> date:
    """A dissolved organization is judged by the tree of its last day."""
    org = session.get(Organization, org_id)
    if org is not None and org.dissolved_on is not None and org.dissolved_on <= today:
        return org.dissolved_on - timedelta(days=1)
    return today


def _authorize_org(session, principal: Principal | None, org_id: uuid.UUID, writers: tuple[str, ...], today: date,
                   below: bool = False) -> None:
    authorize(session, principal, org_id, writers, _lineage_day(session, org_id, today))
    if below and principal is not None and principal.org_id == org_id:
        raise Forbidden("Chỉ tổ chức cấp trên mới được thay đổi tổ chức này",
                        "Only a superior organization may change this organization")


# --- the tree ---------------------------------------------------------------

def _org_for_change(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal | None, on: date,
                    today: date) -> domain.OrgState:
    require_role(principal, ORGANIZATION_WRITERS)
    state = queries.org_state(uow.session, org_id, on)
    if state is None:
        raise NotFound("Không tìm thấy tổ chức", "Organization not found")
    _authorize_org(uow.session, principal, org_id, ORGANIZATION_WRITERS, today, below=True)
    return state


def _new_version(session, org: Organization, on: date, **values) -> None:
    """Close the version in force and open one from ``on``; the row keeps the latest values."""
    if not queries.versions_of(session, org.id):
        session.add(OrganizationVersion(org_id=org.id, valid_from=org.created_on, name=org.name, kind=org.kind,
                                        sector=org.sector, cluster=org.cluster))
        session.flush()
    for version in queries.versions_of(session, org.id):
        if version.valid_from < on and (version.valid_to is None or version.valid_to > on):
            version.valid_to = on
            session.add(version)
    current = {"name": org.name, "kind": org.kind, "sector": org.sector, "cluster": org.cluster}
    new = {**current, **values}
    session.add(OrganizationVersion(org_id=org.id, valid_from=on, **new))
    for key, value in new.items():
        setattr(org, key, value)
    session.add(org)


def _org_outcome(uow: UnitOfWork, principal, org: Organization, action: str, before: dict, events: list[Event]):
    audit.record_change(uow.session, actor=_actor(principal), entity="organization", entity_id=org.id, action=action,
                        before=before, after={**audit.snapshot(org), "event": events[0].model_dump(
                            mode="json", exclude={"occurred_at", "event_id"})})
    uow.publish(*events)
    uow.commit()
    return Outcome(org, events)


def rename_organization(uow: UnitOfWork, org_id: uuid.UUID, name: str, effective_from: date,
                        principal: Principal | None, today: date | None = None) -> Outcome:
    """A new name from a date; the old one stays in the history."""
    today = today or clock.today()
    with uow:
        state = _org_for_change(uow, org_id, principal, effective_from, today)
        event = _rule_call(domain.rename_organization, state, name, effective_from, actor=_actor(principal))
        org = uow.session.get(Organization, org_id)
        before = audit.snapshot(org)
        _new_version(uow.session, org, effective_from, name=event.name)
        return _org_outcome(uow, principal, org, "renamed", before, [event])


def reclassify_organization(uow: UnitOfWork, org_id: uuid.UUID, kind: str, sector: str, cluster: str | None,
                            effective_from: date, principal: Principal | None, today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        state = _org_for_change(uow, org_id, principal, effective_from, today)
        event = _rule_call(domain.reclassify_organization, state, kind, sector, cluster, effective_from,
                           actor=_actor(principal))
        org = uow.session.get(Organization, org_id)
        before = audit.snapshot(org)
        _new_version(uow.session, org, effective_from, kind=event.kind, sector=event.sector, cluster=event.cluster)
        return _org_outcome(uow, principal, org, "reclassified", before, [event])


def _relink(session, org_id: uuid.UUID, parent_id: uuid.UUID | None, on: date) -> None:
    for link in queries.parent_links(session, org_id):
        if link.valid_to is None or link.valid_to > on:
            link.valid_to = on
            session.add(link)
    if parent_id is not None:
        session.add(OrganizationParent(org_id=org_id, parent_id=parent_id, valid_from=on))


def _move(session, state: domain.OrgState, parent: OrgRef, on: date, actor: str):
    under_itself = parent.id in queries.subtree(session, state.id, on)
    event = _rule_call(domain.move_organization, state, parent, on, under_itself=under_itself, actor=actor)
    _relink(session, state.id, parent.id, on)
    return event


def move_organization(uow: UnitOfWork, org_id: uuid.UUID, parent_id: uuid.UUID, effective_from: date,
                      principal: Principal | None, today: date | None = None) -> Outcome:
    """Place an organization (and its subtree) under another parent from a date."""
    today = today or clock.today()
    with uow:
        state = _org_for_change(uow, org_id, principal, effective_from, today)
        parent = _existing(uow.session, parent_id, "parent_id")
        _authorize_org(uow.session, principal, parent_id, ORGANIZATION_WRITERS, today)
        org = uow.session.get(Organization, org_id)
        before = {**audit.snapshot(org), "parent_id": str(state.parent.id) if state.parent else None}
        event = _move(uow.session, state, parent, effective_from, _actor(principal))
        audit.record_change(uow.session, actor=_actor(principal), entity="organization", entity_id=org.id,
                            action="moved", before=before, after={**audit.snapshot(org), "parent_id": str(parent_id),
                                                                  "effective_from": effective_from.isoformat()})
        uow.publish(event)
        uow.commit()
    return Outcome(org, [event])


def dissolve_organization(uow: UnitOfWork, org_id: uuid.UUID, effective_from: date, principal: Principal | None,
                          merged_into_id: uuid.UUID | None = None, today: date | None = None) -> Outcome:
    """Dissolve from a date. With ``merged_into_id`` it is a merge: its children move under the other
    organization and its members are transferred there on the same date (one event each)."""
    today = today or clock.today()
    actor = _actor(principal)
    with uow:
        state = _org_for_change(uow, org_id, principal, effective_from, today)
        target = _existing(uow.session, merged_into_id, "merged_into_id")
        if merged_into_id is not None:
            _authorize_org(uow.session, principal, merged_into_id, ORGANIZATION_WRITERS, today)
        dissolved = _rule_call(domain.dissolve_organization, state, effective_from, merged_into=target, actor=actor)
        events: list[Event] = []
        if target is not None:
            for child in queries.children_on(uow.session, org_id, effective_from):
                child_state = queries.org_state(uow.session, child, effective_from)
                events.append(_move(uow.session, child_state, target, effective_from, actor))
            for placement in queries.placements_on(uow.session, org_id, effective_from):
                events.append(_move_member(uow.session, placement, target.id, effective_from, None, actor))
        org = uow.session.get(Organization, org_id)
        before = audit.snapshot(org)
        org.dissolved_on, org.merged_into_id = effective_from, merged_into_id
        uow.session.add(org)
        _relink(uow.session, org_id, None, effective_from)
        return _org_outcome(uow, principal, org, "merged" if target else "dissolved", before, [dissolved, *events])


def _move_member(session, placement: MemberPlacement, to_org: uuid.UUID, on: date, letter_issued_on: date | None,
                 actor: str) -> MemberTransferred:
    from_org = placement.organization_id
    if placement.valid_from >= on:
        placement.organization_id = to_org
    else:
        placement.valid_to = on
        session.add(MemberPlacement(member_id=placement.member_id, organization_id=to_org, valid_from=on))
    session.add(placement)
    return MemberTransferred(member_id=placement.member_id, from_organization_id=from_org, to_organization_id=to_org,
                             letter_issued_on=letter_issued_on, effective_from=on, actor=actor)


@dataclass
class OrgOnDate:
    organization_id: uuid.UUID
    on: date
    name: str
    kind: str
    sector: str
    cluster: str | None
    parent_id: uuid.UUID | None
    in_force: bool
    versions: list
    parents: list


def organization_on(uow: UnitOfWork, org_id: uuid.UUID, on: date, principal: Principal,
                    today: date | None = None) -> OrgOnDate:
    """Which name, classification and parent an organization had on a date."""
    today = today or clock.today()
    with uow:
        org = uow.session.get(Organization, org_id)
        if org is None:
            raise NotFound("Không tìm thấy tổ chức", "Organization not found")
        _authorize_org(uow.session, principal, org_id, (), today)
        values = queries.org_values_on(uow.session, org, on)
        in_force = org.created_on <= on and (org.dissolved_on is None or on < org.dissolved_on)
        return _detached(uow, OrgOnDate(org_id, on, parent_id=queries.parent_on(uow.session, org_id, on),
                                        in_force=in_force, versions=queries.versions_of(uow.session, org_id),
                                        parents=queries.parent_links(uow.session, org_id), **values))


def structure_warnings(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, on: date | None = None,
                       today: date | None = None) -> list[domain.StructureWarning]:
    """domain.md §5 checks for every organization of the subtree on a date (grassroots committees
    count the official members of their whole subtree)."""
    today = today or clock.today()
    on = on or today
    with uow:
        if uow.session.get(Organization, org_id) is None:
            raise NotFound("Không tìm thấy tổ chức", "Organization not found")
        _authorize_org(uow.session, principal, org_id, (), today)
        ids = queries.subtree(uow.session, org_id, on)
        counts = queries.official_counts(uow.session, ids, on)
        kinds = {o.id: (queries.org_values_on(uow.session, o, on)["kind"], o) for o in
                 uow.session.exec(select(Organization).where(Organization.id.in_(ids))).all()}
        children: dict[uuid.UUID, list[uuid.UUID]] = {}
        for child, parent in queries.parent_map(uow.session, on).items():
            children.setdefault(parent, []).append(child)
        totals: dict[uuid.UUID, int] = {}
        for org in reversed(ids):  # breadth-first order reversed: children before their parents
            totals[org] = counts.get(org, 0) + sum(totals.get(c, 0) for c in children.get(org, ()))
        rules = rulebook.rules_on(on)
        out: list[domain.StructureWarning] = []
        for org in ids:
            kind, row = kinds[org]
            if row.created_on > on or (row.dissolved_on and row.dissolved_on <= on):
                continue
            total = totals[org] if kind == "grassroots_committee" else counts.get(org, 0)
            out += domain.structure_warnings(org, kind, total, rules)
        return out


# --- member records and the lifecycle ---------------------------------------

def _load_member(uow: UnitOfWork, member_id: uuid.UUID, principal: Principal | None, writers: tuple[str, ...],
                 today: date) -> tuple[Member, domain.MemberState]:
    require_role(principal, writers)
    member = uow.session.get(Member, member_id)
    if member is None:
        raise NotFound("Không tìm thấy đảng viên", "Member not found")
    state = queries.member_state(uow.session, member)
    if state.organization_id is None:
        if principal is not None:
            raise Forbidden()
    else:
        _authorize_org(uow.session, principal, state.organization_id, writers, today)
    return member, state


def _member_outcome(uow: UnitOfWork, principal, member: Member, action: str, before: dict,
                    events: list[Event], warnings: list | None = None, extra: dict | None = None) -> Outcome:
    after = {**audit.snapshot(member), **(extra or {})}
    audit.record_change(uow.session, actor=_actor(principal), entity="member", entity_id=member.id, action=action,
                        before=before, after=after)
    uow.publish(*events)
    _commit_unique(uow)
    return Outcome(member, events, warnings or [])


def _close_placement(session, member_id: uuid.UUID, on: date) -> None:
    for placement in queries.placement_history(session, member_id):
        if placement.valid_to is None or placement.valid_to > on:
            placement.valid_to = max(on, placement.valid_from)
            session.add(placement)


def _close_open(session, member: Member, on: date) -> None:
    """Leaving the rolls closes an exemption and a temporary transfer as well."""
    for row in session.exec(select(MemberExemption).where(MemberExemption.member_id == member.id,
                                                          MemberExemption.valid_to.is_(None))).all():
        row.valid_to = max(on, row.valid_from)
        session.add(row)
    for row in session.exec(select(MemberTransfer).where(MemberTransfer.member_id == member.id,
                                                         MemberTransfer.state.in_(("active", "pending")))).all():
        row.state, row.ended_on = ("ended" if row.kind == "temporary" else "cancelled"), on
        session.add(row)
    member.exempt_since = None


def update_profile(uow: UnitOfWork, member_id: uuid.UUID, changes: dict, principal: Principal | None,
                   effective_from: date | None = None, today: date | None = None) -> Outcome:
    """Correct or update the record; kept with who, when, before and after. A change in a field reports
    count by publishes MemberProfileChanged."""
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, MEMBER_WRITERS, today)
        _rule_call(domain.require_state, state, "update_profile")
        current = queries.member_values(member)
        diff = _rule_call(domain.profile_changes, current, changes, today)
        if "cccd" in diff and diff["cccd"][1] and uow.session.exec(
                select(Member.id).where(Member.cccd == diff["cccd"][1], Member.id != member.id)).first():
            raise _duplicate_cccd()
        before = audit.snapshot(member)
        for name, (_, value) in diff.items():
            setattr(member, name, value)
        uow.session.add(member)
        events: list[Event] = []
        if set(diff) & set(domain.STATISTICAL_FIELDS):
            events.append(domain.profile_changed_event(member.id, queries.member_values(member),
                                                       member.party_age_start, effective_from or today,
                                                       actor=_actor(principal)))
        return _member_outcome(uow, principal, member, "profile_changed", before, events)


def _new_member_row(event_id: uuid.UUID, values: dict, details: dict | None, status: str, **dates) -> Member:
    text = {k: (" ".join(str(v).split()) or None) for k, v in (details or {}).items()
            if k in domain.PROFILE_TEXT_FIELDS and v is not None}
    return Member(id=event_id, status=status, **values, **text, **dates)


def admit_member(uow: UnitOfWork, cmd: domain.Admission, principal: Principal | None,
                 today: date | None = None) -> Outcome:
    """Admission: a new probationary member from the ceremony date (MemberAdmitted)."""
    today = today or clock.today()
    require_role(principal, DECISION_MAKERS)
    with uow:
        cell = queries.org_ref(uow.session, cmd.organization_id)
        if cell is not None:
            authorize(uow.session, principal, cmd.organization_id, DECISION_MAKERS, today)
        event = _rule_call(domain.admit, cmd, cell, rulebook.rules_on(cmd.considered_on), today=today,
                           actor=_actor(principal))
        _ensure_unique(uow.session, NewMember(full_name="", sex="", date_of_birth=cmd.date_of_birth, status="",
                                              organization_id=cmd.organization_id, effective_from=today,
                                              cccd=cmd.cccd, id=cmd.id))
        member = _new_member_row(event.member_id, {"full_name": event.full_name, "sex": cmd.sex,
                                                   "date_of_birth": cmd.date_of_birth, "cccd": cmd.cccd,
                                                   "phone": cmd.phone}, cmd.details, "probationary",
                                 admission_decision_date=cmd.decision_date, admission_ceremony_date=cmd.ceremony_date,
                                 party_age_start=cmd.decision_date)
        uow.session.add(member)
        uow.session.flush()
        uow.session.add(MemberPlacement(member_id=member.id, organization_id=cell.id, valid_from=cmd.ceremony_date))
        return _member_outcome(uow, principal, member, "admitted", {}, [event],
                               extra={"provincial_decision": cmd.provincial_decision,
                                      "considered_on": cmd.considered_on.isoformat()})


def make_official(uow: UnitOfWork, member_id: uuid.UUID, decision_date: date, principal: Principal | None,
                  today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, DECISION_MAKERS, today)
        rules = rulebook.rules_on(decision_date)
        event, warnings = _rule_call(domain.make_official, state, decision_date, rules, today=today,
                                     actor=_actor(principal))
        before = audit.snapshot(member)
        member.status, member.official_date = "official", event.effective_from
        uow.session.add(member)
        return _member_outcome(uow, principal, member, "made_official", before, [event], warnings,
                               {"decision_date": decision_date.isoformat()})


def _leave_rolls(session, member: Member, reason: str, cause: str | None, on: date) -> None:
    member.status, member.ended_on, member.end_reason, member.end_cause = "ended", on, reason, cause
    session.add(member)
    _close_placement(session, member.id, on)
    _close_open(session, member, on)
    if reason != "deceased":
        session.add(MemberGap(member_id=member.id, gap_from=on, cause=reason))


def refuse_official(uow: UnitOfWork, member_id: uuid.UUID, decision_date: date, principal: Principal | None,
                    today: date | None = None) -> Outcome:
    """Probation not recognised: the name is removed (MembershipEnded reason probation_not_recognized)."""
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, DECISION_MAKERS, today)
        event = _rule_call(domain.refuse_official, state, decision_date, today=today, actor=_actor(principal))
        before = audit.snapshot(member)
        _leave_rolls(uow.session, member, event.reason, None, event.effective_from)
        return _member_outcome(uow, principal, member, "probation_not_recognized", before, [event])


def end_membership(uow: UnitOfWork, member_id: uuid.UUID, reason: str, effective_from: date,
                   principal: Principal | None, decision_date: date | None = None, cause: str | None = None,
                   today: date | None = None) -> Outcome:
    """Removal (xóa tên), expulsion, voluntary exit (committee decisions) or death (the cell records it)."""
    today = today or clock.today()
    writers = MEMBER_WRITERS if reason == "deceased" else DECISION_MAKERS
    with uow:
        member, state = _load_member(uow, member_id, principal, writers, today)
        event = _rule_call(domain.end_membership, state, reason, decision_date, effective_from, cause, today=today,
                           actor=_actor(principal))
        before = audit.snapshot(member)
        _leave_rolls(uow.session, member, reason, cause, effective_from)
        return _member_outcome(uow, principal, member, f"ended_{reason}", before, [event])


def readmit_member(uow: UnitOfWork, member_id: uuid.UUID, cmd: domain.Readmission, principal: Principal | None,
                   today: date | None = None) -> Outcome:
    """Readmission with a new probation; the gap since leaving stays out of party age."""
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, DECISION_MAKERS, today)
        cell = queries.org_ref(uow.session, cmd.organization_id)
        if cell is not None:
            authorize(uow.session, principal, cmd.organization_id, DECISION_MAKERS, today)
        event = _rule_call(domain.readmit, state, cmd, cell, rulebook.rules_on(cmd.considered_on), today=today,
                           actor=_actor(principal))
        before = audit.snapshot(member)
        member.status, member.readmissions = "probationary", member.readmissions + 1
        member.admission_decision_date, member.admission_ceremony_date = cmd.decision_date, cmd.ceremony_date
        member.official_date, member.ended_on, member.end_reason, member.end_cause = None, None, None, None
        member.party_age_start = member.party_age_start or cmd.decision_date
        uow.session.add(member)
        for gap in uow.session.exec(select(MemberGap).where(MemberGap.member_id == member.id,
                                                            MemberGap.gap_to.is_(None))).all():
            gap.gap_to = max(cmd.decision_date, gap.gap_from)
            uow.session.add(gap)
        uow.session.add(MemberPlacement(member_id=member.id, organization_id=cell.id, valid_from=cmd.ceremony_date))
        return _member_outcome(uow, principal, member, "readmitted", before, [event])


def issue_transfer(uow: UnitOfWork, member_id: uuid.UUID, letter_issued_on: date, principal: Principal | None, *,
                   to_organization_id: uuid.UUID | None = None, destination: str | None = None,
                   moved_on: date | None = None, today: date | None = None) -> Outcome:
    """Issue the transfer letter. Within the province it waits for the receiving cell; out of it the
    member leaves the rolls now (MemberTransferred without a target)."""
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, DECISION_MAKERS, today)
        target = queries.org_ref(uow.session, to_organization_id) if to_organization_id else None
        event, warnings = _rule_call(domain.issue_transfer, state, target, destination, moved_on, letter_issued_on,
                                     rulebook.rules_on(letter_issued_on), today=today,
                                     target_given=to_organization_id is not None, actor=_actor(principal))
        before = audit.snapshot(member)
        row = MemberTransfer(member_id=member.id, kind="official", state="pending" if event is None else "done",
                             from_organization_id=state.organization_id, to_organization_id=to_organization_id,
                             destination=event.destination if event else None, moved_on=moved_on,
                             letter_issued_on=letter_issued_on, valid_from=event.effective_from if event else None)
        uow.session.add(row)
        if event is not None:
            member.status = "transferred_out"
            uow.session.add(member)
            _close_placement(uow.session, member.id, letter_issued_on)
            _close_open(uow.session, member, letter_issued_on)
        return _member_outcome(uow, principal, member, "transfer_letter_issued", before, [event] if event else [],
                               warnings, {"transfer": {"to_organization_id": str(to_organization_id)
                                                       if to_organization_id else None, "destination": destination,
                                                       "letter_issued_on": letter_issued_on.isoformat()}})


def receive_transfer(uow: UnitOfWork, member_id: uuid.UUID, received_on: date, principal: Principal | None,
                     today: date | None = None) -> Outcome:
    """The receiving cell took the letter: the member moves from that day (MemberTransferred)."""
    today = today or clock.today()
    with uow:
        require_role(principal, DECISION_MAKERS)
        member = uow.session.get(Member, member_id)
        if member is None:
            raise NotFound("Không tìm thấy đảng viên", "Member not found")
        state = queries.member_state(uow.session, member)
        pending = uow.session.exec(select(MemberTransfer).where(
            MemberTransfer.member_id == member_id, MemberTransfer.kind == "official",
            MemberTransfer.state == "pending")).first()
        # the sending or the receiving side may record the receipt
        target_id = pending.to_organization_id if pending else state.organization_id
        try:
            _authorize_org(uow.session, principal, target_id, DECISION_MAKERS, today)
        except Forbidden:
            _authorize_org(uow.session, principal, state.organization_id, DECISION_MAKERS, today)
        event, warnings = _rule_call(domain.receive_transfer, state, queries.org_ref(uow.session, target_id),
                                     pending.letter_issued_on if pending else received_on, received_on,
                                     rulebook.rules_on(received_on), today=today, actor=_actor(principal))
        before = audit.snapshot(member)
        pending.state, pending.received_on, pending.valid_from = "done", received_on, received_on
        uow.session.add(pending)
        current = queries.latest_placement(uow.session, member.id)
        _move_member(uow.session, current, target_id, received_on, pending.letter_issued_on, _actor(principal))
        return _member_outcome(uow, principal, member, "transferred", before, [event], warnings,
                               {"organization_id": str(target_id)})


def receive_transfer_in(uow: UnitOfWork, cmd: NewMember, origin: str, principal: Principal | None,
                        today: date | None = None) -> Outcome:
    """A member transferred in from outside the province: the record is created (MemberTransferReceived)."""
    today = today or clock.today()
    require_role(principal, DECISION_MAKERS)
    with uow:
        cell = _existing(uow.session, cmd.organization_id, "organization_id")
        authorize(uow.session, principal, cmd.organization_id, DECISION_MAKERS, today)
        problems = domain.record_date_problems(cmd, today)
        if problems:
            raise _invalid(RuleError(*problems))
        returning = uow.session.exec(select(Member).where(Member.cccd == cmd.cccd,
                                                          Member.status == "transferred_out")).first() \
            if cmd.cccd else None
        if returning is not None:  # a member who left for another province comes back: same record, same id
            cmd = replace(cmd, id=returning.id)
        event = _rule_call(domain.transfer_in, cmd, origin, cell, today=today, actor=_actor(principal),
                           details=cmd.details,
                           party_age_start=(returning.party_age_start if returning else None)
                           or cmd.admission_decision_date)
        if returning is not None:
            return _return_to_province(uow, principal, returning, cmd, cell, event, origin)
        _ensure_unique(uow.session, cmd)
        member = _new_member_row(event.member_id, {"full_name": event.full_name, "sex": cmd.sex,
                                                   "date_of_birth": cmd.date_of_birth, "cccd": cmd.cccd,
                                                   "phone": cmd.phone}, cmd.details, cmd.status,
                                 admission_decision_date=cmd.admission_decision_date,
                                 admission_ceremony_date=cmd.admission_ceremony_date,
                                 official_date=cmd.official_date, party_age_start=cmd.admission_decision_date)
        uow.session.add(member)
        uow.session.flush()
        uow.session.add(MemberPlacement(member_id=member.id, organization_id=cell.id, valid_from=cmd.effective_from))
        return _member_outcome(uow, principal, member, "transfer_received", {}, [event], extra={"origin": origin})


def _return_to_province(uow: UnitOfWork, principal, member: Member, cmd: NewMember, cell: OrgRef, event,
                        origin: str) -> Outcome:
    """The record of a member who had transferred out is reopened: status, placement and any new profile data."""
    last = queries.latest_placement(uow.session, member.id)
    if last is not None and cmd.effective_from < (last.valid_to or last.valid_from):
        raise ValidationFailed.of("effective_from", "Ngày chuyển đến không được trước ngày đã chuyển đi",
                                  "The transfer in cannot precede the transfer out")
    before = audit.snapshot(member)
    member.status, member.full_name, member.phone = cmd.status, event.full_name, cmd.phone or member.phone
    for name, value in (cmd.details or {}).items():
        if name in domain.PROFILE_TEXT_FIELDS and value is not None:
            setattr(member, name, value)
    for name in ("admission_decision_date", "admission_ceremony_date", "official_date"):
        if getattr(member, name) is None and getattr(cmd, name) is not None:
            setattr(member, name, getattr(cmd, name))
    member.party_age_start = member.party_age_start or cmd.admission_decision_date
    uow.session.add(member)
    uow.session.add(MemberPlacement(member_id=member.id, organization_id=cell.id, valid_from=cmd.effective_from))
    return _member_outcome(uow, principal, member, "transfer_received", before, [event],
                           extra={"origin": origin, "returned": True})


def temporary_transfer(uow: UnitOfWork, member_id: uuid.UUID, effective_from: date, until: date,
                       principal: Principal | None, *, host_organization_id: uuid.UUID | None = None,
                       host_name: str | None = None, study: bool = False, today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, MEMBER_WRITERS, today)
        host = queries.org_ref(uow.session, host_organization_id) if host_organization_id else None
        event = _rule_call(domain.temporary_transfer, state, host, host_organization_id is not None, host_name,
                           effective_from, until, study, rulebook.rules_on(effective_from), actor=_actor(principal))
        before = audit.snapshot(member)
        uow.session.add(MemberTransfer(member_id=member.id, kind="temporary", state="active",
                                       from_organization_id=state.organization_id,
                                       to_organization_id=host_organization_id, destination=host_name,
                                       valid_from=effective_from, until=until, study=study))
        return _member_outcome(uow, principal, member, "temporarily_transferred", before, [event],
                               extra={"temporary": {"host": str(host_organization_id or host_name),
                                                    "from": effective_from.isoformat(), "until": until.isoformat()}})


def end_temporary_transfer(uow: UnitOfWork, member_id: uuid.UUID, effective_from: date, principal: Principal | None,
                           today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, MEMBER_WRITERS, today)
        event = _rule_call(domain.end_temporary_transfer, state, effective_from, actor=_actor(principal))
        row = uow.session.exec(select(MemberTransfer).where(MemberTransfer.member_id == member.id,
                                                            MemberTransfer.kind == "temporary",
                                                            MemberTransfer.state == "active")).one()
        row.state, row.ended_on = "ended", effective_from
        uow.session.add(row)
        before = audit.snapshot(member)
        return _member_outcome(uow, principal, member, "temporary_transfer_ended", before, [event],
                               extra={"temporary_ended": effective_from.isoformat()})


def issue_party_card(uow: UnitOfWork, member_id: uuid.UUID, card_number: str, issued_on: date,
                     principal: Principal | None, replacement: bool = False, today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, DECISION_MAKERS, today)
        event = _rule_call(domain.issue_card, state, card_number, issued_on, replacement, today=today,
                           actor=_actor(principal))
        if uow.session.exec(select(Member.id).where(Member.party_card_number == card_number,
                                                    Member.id != member.id)).first():
            raise ValidationFailed.of("card_number", "Số thẻ đảng này đã được cấp cho đảng viên khác",
                                      "This party card number belongs to another member")
        before = audit.snapshot(member)
        member.party_card_number, member.party_card_issued_on = card_number, issued_on
        uow.session.add(member)
        return _member_outcome(uow, principal, member, "card_replaced" if replacement else "card_issued", before,
                               [event])


def award_badge(uow: UnitOfWork, member_id: uuid.UUID, years: int, awarded_on: date, principal: Principal | None,
                serious_illness: bool = False, today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, DECISION_MAKERS, today)
        rules = rulebook.rules_on(awarded_on)
        event = _rule_call(domain.award_badge, state, years, awarded_on, serious_illness, rules, today=today,
                           actor=_actor(principal))
        reached = domain.milestone_date(state.party_age_start, state.gaps, years)
        uow.session.add(MemberBadge(member_id=member.id, years=years, awarded_on=awarded_on,
                                    early=awarded_on < reached))
        before = audit.snapshot(member)
        return _member_outcome(uow, principal, member, "badge_awarded", before, [event],
                               extra={"badge": {"years": years, "awarded_on": awarded_on.isoformat(),
                                                "serious_illness": serious_illness}})


def exempt_member(uow: UnitOfWork, member_id: uuid.UUID, effective_from: date, principal: Principal | None,
                  reason: str | None = None, today: date | None = None) -> Outcome:
    """Exemption from work and meetings: out of attendance denominators from this date."""
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, MEMBER_WRITERS, today)
        event = _rule_call(domain.exempt, state, effective_from, reason, today=today, actor=_actor(principal))
        before = audit.snapshot(member)
        member.exempt_since = effective_from
        uow.session.add(member)
        uow.session.add(MemberExemption(member_id=member.id, valid_from=effective_from, reason=event.reason))
        return _member_outcome(uow, principal, member, "exempted", before, [event])


def end_exemption(uow: UnitOfWork, member_id: uuid.UUID, effective_from: date, principal: Principal | None,
                  today: date | None = None) -> Outcome:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, MEMBER_WRITERS, today)
        event = _rule_call(domain.end_exemption, state, effective_from, today=today, actor=_actor(principal))
        before = audit.snapshot(member)
        member.exempt_since = None
        uow.session.add(member)
        for row in uow.session.exec(select(MemberExemption).where(MemberExemption.member_id == member.id,
                                                                  MemberExemption.valid_to.is_(None))).all():
            row.valid_to = effective_from
            uow.session.add(row)
        return _member_outcome(uow, principal, member, "exemption_ended", before, [event])


# --- reads: member page, history, due lists ----------------------------------

# The member record is confidential (domain.md §7): staff read it, an ordinary member does not.
RECORD_READERS = MEMBER_WRITERS

@dataclass
class MemberView:
    member: Member
    state: domain.MemberState
    party_age: tuple[int, int] | None
    placements: list


def member_detail(uow: UnitOfWork, member_id: uuid.UUID, principal: Principal, today: date | None = None) -> MemberView:
    today = today or clock.today()
    with uow:
        member, state = _load_member(uow, member_id, principal, RECORD_READERS, today)
        age = domain.party_age(state.party_age_start, state.gaps, today) if state.party_age_start else None
        return _detached(uow, MemberView(member, state, age, queries.placement_history(uow.session, member_id)))


def member_organization_on(uow: UnitOfWork, member_id: uuid.UUID, on: date, principal: Principal,
                           today: date | None = None) -> tuple[uuid.UUID | None, list]:
    """Which organization the member belonged to on a date, with the whole placement history."""
    today = today or clock.today()
    with uow:
        _load_member(uow, member_id, principal, RECORD_READERS, today)
        return _detached(uow, (queries.organization_of_member_on(uow.session, member_id, on),
                               queries.placement_history(uow.session, member_id)))


def member_history(uow: UnitOfWork, member_id: uuid.UUID, principal: Principal, today: date | None = None) -> list:
    today = today or clock.today()
    with uow:
        _load_member(uow, member_id, principal, RECORD_READERS, today)
        return _detached(uow, audit.history(uow.session, "member", member_id))


def _scope(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, today: date) -> None:
    require_role(principal, RECORD_READERS)
    if uow.session.get(Organization, org_id) is None:
        raise NotFound("Không tìm thấy tổ chức", "Organization not found")
    _authorize_org(uow.session, principal, org_id, (), today)


def probation_due_list(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, today: date | None = None):
    """Probationary members of the subtree with the day they are due and the decision deadline."""
    today = today or clock.today()
    with uow:
        _scope(uow, org_id, principal, today)
        rules = rulebook.rules_on(today)
        out = []
        members = queries.members_in_subtree(uow.session, org_id, today, ("probationary",))
        states = queries.member_states(uow.session, members)
        for member in members:
            state = states[member.id]
            if state.admission_ceremony_date is not None:
                out.append((member, state, domain.probation_due(state, today, rules)))
        return _detached(uow, sorted(out, key=lambda row: (row[2].due_on, row[0].full_name)))


def badges_due_list(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, today: date | None = None):
    """Official members of the subtree who reach a badge by the next award date (or may get it early)."""
    today = today or clock.today()
    with uow:
        _scope(uow, org_id, principal, today)
        rules = rulebook.rules_on(today)
        award_date = rules.next_award_date(today)
        out = []
        members = queries.members_in_subtree(uow.session, org_id, today, ("official",))
        states = queries.member_states(uow.session, members)
        for member in members:
            state = states[member.id]
            due = domain.next_badge(state, award_date, rules)
            if due is not None:
                out.append((member, state, due))
        return award_date, _detached(uow, out)


def pending_transfer_list(uow: UnitOfWork, org_id: uuid.UUID, principal: Principal, today: date | None = None):
    """Transfer letters issued and not yet received, with the 30-working-day presentation deadline."""
    today = today or clock.today()
    with uow:
        _scope(uow, org_id, principal, today)
        rules = rulebook.rules_on(today)
        ids = queries.subtree(uow.session, org_id, today)
        rows = []
        for t in queries.pending_transfers(uow.session, ids):
            deadline = domain.presentation_deadline(t.letter_issued_on, rules)
            rows.append((t, uow.session.get(Member, t.member_id), deadline, today > deadline))
        return _detached(uow, rows)
