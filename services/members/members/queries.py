"""Read side of the organization tree: parents on a date, lineage, subtree, listings."""
from __future__ import annotations

import uuid
from collections import defaultdict
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, select

from members.domain import OrgRef
from members.models import Member, MemberPlacement, Organization, OrganizationParent


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
