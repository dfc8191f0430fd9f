"""Read side of the organization tree: parents on a date, lineage, subtree, listings."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from members.domain import EDITABLE_FIELDS, MemberState, OrgRef, OrgState, statistical_profile
from members.models import (Member, MemberBadge, MemberGap, MemberPlacement, MemberTransfer, Organization,
                            OrganizationParent, OrganizationVersion)


def org_ref(session: Session, org_id: uuid.UUID) -> OrgRef | None:
    org = session.get(Organization, org_id)
    return OrgRef(org.id, org.kind, org.created_on, org.dissolved_on) if org else None


def parent_map(session: Session, on: date) -> dict[uuid.UUID, uuid.UUID]:
    """Every organization's parent on ``on`` (one query). An organization not yet in force
    already answers to its first parent, so it can be staffed before its start date."""
    links = session.exec(select(OrganizationParent).order_by(OrganizationParent.valid_from)).all()
    current: dict[uuid.UUID, uuid.UUID] = {}
    upcoming: dict[uuid.UUID, uuid.UUID] = {}
    for link in links:
        if link.valid_from <= on and (link.valid_to is None or link.valid_to > on):
            current[link.org_id] = link.parent_id
        elif link.valid_from > on:
            upcoming.setdefault(link.org_id, link.parent_id)
    return {**upcoming, **current}


def lineage(session: Session, org_id: uuid.UUID, on: date) -> list[uuid.UUID]:
    """The organization and all its ancestors on ``on``, nearest first."""
    parents, chain = parent_map(session, on), [org_id]
    while (parent := parents.get(chain[-1])) is not None and parent not in chain:
        chain.append(parent)
    return chain


def subtree(session: Session, root: uuid.UUID, on: date) -> list[uuid.UUID]:
    """``root`` and everything under it on ``on``, breadth first."""
    children: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for child, parent in parent_map(session, on).items():
        children[parent].append(child)
    ordered, seen = [root], {root}
    for org_id in ordered:
        for child in children.get(org_id, ()):
            if child not in seen:
                seen.add(child)
                ordered.append(child)
    return ordered


def member_counts(session: Session, org_ids: list[uuid.UUID], on: date) -> dict[uuid.UUID, int]:
    rows = session.exec(select(MemberPlacement.organization_id, func.count())
                        .where(MemberPlacement.organization_id.in_(org_ids), _current_or_future(on))
                        .group_by(MemberPlacement.organization_id)).all()
    return {org_id: count for org_id, count in rows}


def _current_or_future(on: date):
    return or_(MemberPlacement.valid_to.is_(None), MemberPlacement.valid_to > on)


def organizations(session: Session, org_ids: list[uuid.UUID], on: date) -> list[tuple[Organization, uuid.UUID | None, int]]:
    """Organizations in the given order, each with its parent on ``on`` and its member count."""
    by_id = {o.id: o for o in session.exec(select(Organization).where(Organization.id.in_(org_ids))).all()}
    counts, parents = member_counts(session, org_ids, on), parent_map(session, on)
    return [(by_id[i], parents.get(i), counts.get(i, 0)) for i in org_ids if i in by_id]


def members_of(session: Session, org_id: uuid.UUID, on: date) -> list[tuple[Member, MemberPlacement]]:
    """Members placed in the cell on ``on`` or from a later date, by name."""
    rows = session.exec(select(Member, MemberPlacement).join(MemberPlacement, MemberPlacement.member_id == Member.id)
                        .where(MemberPlacement.organization_id == org_id, _current_or_future(on))
                        .order_by(Member.full_name)).all()
    return list(rows)


# ---------------------------------------------------------------------------
# 0002: history on a date, member state for the lifecycle rules, due lists
# ---------------------------------------------------------------------------

def _open_on(valid_from_col, valid_to_col, on: date):
    return (valid_from_col <= on) & (or_(valid_to_col.is_(None), valid_to_col > on))


def versions_of(session: Session, org_id: uuid.UUID) -> list:
    return list(session.exec(select(OrganizationVersion).where(OrganizationVersion.org_id == org_id)
                             .order_by(OrganizationVersion.valid_from)).all())


def org_values_on(session: Session, org: Organization, on: date) -> dict:
    """Name, kind, sector and cluster of the organization on ``on`` (its current row when never changed)."""
    versions = versions_of(session, org.id)
    chosen = next((v for v in versions if v.valid_from <= on and (v.valid_to is None or v.valid_to > on)), None)
    if chosen is None and versions and on < versions[0].valid_from:
        chosen = versions[0]
    source = chosen or org
    return {"name": source.name, "kind": source.kind, "sector": source.sector, "cluster": source.cluster}


def parent_links(session: Session, org_id: uuid.UUID) -> list[OrganizationParent]:
    return list(session.exec(select(OrganizationParent).where(OrganizationParent.org_id == org_id)
                             .order_by(OrganizationParent.valid_from)).all())


def parent_on(session: Session, org_id: uuid.UUID, on: date) -> uuid.UUID | None:
    return next((link.parent_id for link in parent_links(session, org_id)
                 if link.valid_from <= on and (link.valid_to is None or link.valid_to > on)), None)


def children_on(session: Session, org_id: uuid.UUID, on: date) -> list[uuid.UUID]:
    """Children linked on ``on`` or later (a child still to come blocks a dissolution too)."""
    rows = session.exec(select(OrganizationParent.org_id).where(
        OrganizationParent.parent_id == org_id,
        or_(OrganizationParent.valid_to.is_(None), OrganizationParent.valid_to > on))).all()
    return list(dict.fromkeys(rows))


def placements_on(session: Session, org_id: uuid.UUID, on: date) -> list[MemberPlacement]:
    """Placements in the organization on ``on`` or starting later."""
    return list(session.exec(select(MemberPlacement).where(MemberPlacement.organization_id == org_id,
                                                           _current_or_future(on))).all())


def org_state(session: Session, org_id: uuid.UUID, on: date):
    org = session.get(Organization, org_id)
    if org is None:
        return None
    parent_id = parent_on(session, org_id, on)
    last = max([org.created_on, *(l.valid_from for l in parent_links(session, org_id)),
                *(v.valid_from for v in versions_of(session, org_id))])
    kinds = {o.id: o.kind for o in session.exec(select(Organization).where(
        Organization.id.in_(children_on(session, org_id, on)))).all()}
    return OrgState(id=org.id, name=org.name, kind=org.kind, sector=org.sector, cluster=org.cluster,
                    created_on=org.created_on, dissolved_on=org.dissolved_on,
                    parent=org_ref(session, parent_id) if parent_id else None, last_change=last,
                    child_kinds=tuple(kinds.values()), member_count=len(placements_on(session, org_id, on)))


def placement_history(session: Session, member_id: uuid.UUID) -> list[MemberPlacement]:
    return list(session.exec(select(MemberPlacement).where(MemberPlacement.member_id == member_id)
                             .order_by(MemberPlacement.valid_from, MemberPlacement.id)).all())


def organization_of_member_on(session: Session, member_id: uuid.UUID, on: date) -> uuid.UUID | None:
    return next((p.organization_id for p in placement_history(session, member_id)
                 if p.valid_from <= on and (p.valid_to is None or p.valid_to > on)), None)


def latest_placement(session: Session, member_id: uuid.UUID) -> MemberPlacement | None:
    history = placement_history(session, member_id)
    open_ = [p for p in history if p.valid_to is None]
    return (open_ or history or [None])[-1]


def member_state(session: Session, member: Member):
    """The member as the lifecycle rules see it (MemberState)."""
    return member_states(session, [member])[member.id]


def member_states(session: Session, members: list[Member]) -> dict[uuid.UUID, MemberState]:
    """MemberState of many members in four queries (placements, open transfers, badges, gaps)."""
    ids = [m.id for m in members]
    placements: dict[uuid.UUID, list[MemberPlacement]] = defaultdict(list)
    transfers: dict[uuid.UUID, list[MemberTransfer]] = defaultdict(list)
    badges: dict[uuid.UUID, list[int]] = defaultdict(list)
    gaps: dict[uuid.UUID, list[MemberGap]] = defaultdict(list)
    for chunk in (ids[i:i + 5000] for i in range(0, len(ids), 5000)):
        for p in session.exec(select(MemberPlacement).where(MemberPlacement.member_id.in_(chunk))
                              .order_by(MemberPlacement.valid_from, MemberPlacement.id)).all():
            placements[p.member_id].append(p)
        for t in session.exec(select(MemberTransfer).where(MemberTransfer.member_id.in_(chunk),
                                                           MemberTransfer.state.in_(("pending", "active")))).all():
            transfers[t.member_id].append(t)
        for member_id, years in session.exec(select(MemberBadge.member_id, MemberBadge.years)
                                             .where(MemberBadge.member_id.in_(chunk))).all():
            badges[member_id].append(years)
        for g in session.exec(select(MemberGap).where(MemberGap.member_id.in_(chunk))
                              .order_by(MemberGap.gap_from)).all():
            gaps[g.member_id].append(g)
    out: dict[uuid.UUID, MemberState] = {}
    for member in members:
        history = placements[member.id]
        open_ = [p for p in history if p.valid_to is None]
        placement = (open_ or history or [None])[-1]
        temporary = next((t for t in transfers[member.id] if t.kind == "temporary"), None)
        out[member.id] = MemberState(
            id=member.id, full_name=member.full_name, status=member.status,
            organization_id=placement.organization_id if placement else None,
            profile=statistical_profile(member_values(member), member.party_age_start),
            placed_from=placement.valid_from if placement else None,
            admission_decision_date=member.admission_decision_date,
            admission_ceremony_date=member.admission_ceremony_date, official_date=member.official_date,
            ended_on=member.ended_on, end_reason=member.end_reason, end_cause=member.end_cause,
            readmissions=member.readmissions, exempt_since=member.exempt_since,
            temporary_from=temporary.valid_from if temporary else None,
            pending_transfer=any(t.kind == "official" for t in transfers[member.id]),
            card_number=member.party_card_number, badges=tuple(sorted(badges[member.id])),
            gaps=tuple((g.gap_from, g.gap_to) for g in gaps[member.id]))
    return out


def member_values(member: Member) -> dict:
    return {f: getattr(member, f) for f in EDITABLE_FIELDS}


def members_in_subtree(session: Session, root: uuid.UUID, on: date, statuses: tuple[str, ...]) -> list[Member]:
    """Members placed on ``on`` in ``root``'s subtree with one of ``statuses``."""
    orgs = subtree(session, root, on)
    return list(session.exec(select(Member).join(MemberPlacement, MemberPlacement.member_id == Member.id).where(
        MemberPlacement.organization_id.in_(orgs), _open_on(MemberPlacement.valid_from, MemberPlacement.valid_to, on),
        Member.status.in_(statuses)).order_by(Member.full_name)).all())


def official_counts(session: Session, org_ids: list[uuid.UUID], on: date) -> dict[uuid.UUID, int]:
    """Official members placed in each organization on ``on`` (official as of their official date)."""
    rows = session.exec(select(MemberPlacement.organization_id, Member.status, Member.official_date,
                               Member.ended_on)
                        .join(Member, Member.id == MemberPlacement.member_id)
                        .where(MemberPlacement.organization_id.in_(org_ids),
                               _open_on(MemberPlacement.valid_from, MemberPlacement.valid_to, on))).all()
    counts: dict[uuid.UUID, int] = defaultdict(int)
    for org_id, status, official_date, _ended in rows:
        if (official_date is not None and official_date <= on) or (official_date is None and status == "official"):
            counts[org_id] += 1
    return counts


def pending_transfers(session: Session, org_ids: list[uuid.UUID]) -> list:
    return list(session.exec(select(MemberTransfer).where(
        MemberTransfer.state == "pending", or_(MemberTransfer.from_organization_id.in_(org_ids),
                                               MemberTransfer.to_organization_id.in_(org_ids)))
        .order_by(MemberTransfer.letter_issued_on)).all())
