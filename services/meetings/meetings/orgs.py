"""The organization tree and cell rosters as meetings sees them, projected from member events."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import or_, select
from sqlmodel import Session

from shared.events import Event, MemberRegistered, OrganizationCreated

from meetings import domain
from meetings.models import Organization, OrganizationParent, RosterEntry

MAX_DEPTH = 32  # guards against a cycle in bad data


def apply(session: Session, event: Event) -> None:
    """Upsert what one member event says; other event types are ignored (order-tolerant)."""
    if isinstance(event, OrganizationCreated):
        session.merge(Organization(id=str(event.organization_id), name=event.name, kind=event.kind,
                                   sector=event.sector, created_from=event.effective_from))
        session.merge(OrganizationParent(organization_id=str(event.organization_id), valid_from=event.effective_from,
                                         parent_id=str(event.parent_id) if event.parent_id else None))
    elif isinstance(event, MemberRegistered):
        session.merge(RosterEntry(member_id=str(event.member_id), valid_from=event.effective_from,
                                  organization_id=str(event.organization_id), full_name=event.full_name,
                                  status=event.status, source_event_id=str(event.event_id)))
    session.flush()


def parent_on(session: Session, org_id: str, on: date) -> str | None:
    """Parent on a date (before the first known date, the earliest known parent)."""
    rows = session.execute(select(OrganizationParent).where(OrganizationParent.organization_id == org_id)
                        .order_by(OrganizationParent.valid_from)).scalars().all()
    current = [r for r in rows if r.valid_from <= on] or rows[:1]
    return current[-1].parent_id if current else None


def lineage_on(session: Session, org_id: uuid.UUID | str, on: date) -> list[uuid.UUID]:
    """The organization and its ancestors on a date, nearest first."""
    chain, current = [], str(org_id)
    while current and current not in chain and len(chain) < MAX_DEPTH:
        chain.append(current)
        current = parent_on(session, current, on)
    return [uuid.UUID(i) for i in chain]


def subtree_on(session: Session, root: uuid.UUID, on: date) -> set[str]:
    """Ids of the organization and all its descendants on a date."""
    parents: dict[str, tuple[date, str | None]] = {}
    for row in session.execute(select(OrganizationParent).order_by(OrganizationParent.valid_from)).scalars():
        if row.valid_from <= on or row.organization_id not in parents:
            parents[row.organization_id] = (row.valid_from, row.parent_id)
    children: dict[str, list[str]] = {}
    for org, (_, parent) in parents.items():
        children.setdefault(parent or "", []).append(org)
    found, todo = set(), [str(root)]
    while todo:
        org = todo.pop()
        if org not in found:
            found.add(org)
            todo.extend(children.get(org, []))
    return found


def cell(session: Session, org_id: uuid.UUID | str) -> domain.Cell | None:
    org = session.get(Organization, str(org_id))
    return domain.Cell(uuid.UUID(org.id), org.name, org.kind) if org else None


def roster_on(session: Session, org_id: uuid.UUID | str, on: date) -> list[domain.RosterMember]:
    """Members on the cell's roster on a date, by name."""
    rows = session.execute(select(RosterEntry).where(
        RosterEntry.organization_id == str(org_id), RosterEntry.valid_from <= on,
        or_(RosterEntry.valid_to.is_(None), RosterEntry.valid_to > on)).order_by(RosterEntry.full_name)).scalars()
    return [domain.RosterMember(uuid.UUID(r.member_id), r.full_name, r.status) for r in rows]
