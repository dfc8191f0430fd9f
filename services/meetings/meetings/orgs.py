"""The organization tree and cell rosters as meetings sees them, projected from member events.

Memberships are segments in ``roster_entry`` ([valid_from, valid_to), re-chained per member after
every change so events may arrive in any order); leaving the province or the Party is a segment with
an empty organization id and status ``left``. Exemptions and temporary transfers are intervals in
``member_standing`` (an end arriving before its start is kept as an ``*_end`` marker row).
A temporarily transferred member stays on the home roll as ``away`` and is not put on the host cell's
roll (the host does not count them, domain.md §3).
"""
from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlmodel import Session

from shared.auth import Principal, ensure_in_subtree
from shared.errors import FieldProblem, NotFound, ValidationFailed
from shared.events import CELL_KINDS
from shared.events import (
    Event, MemberAdmitted, MemberExempted, MemberExemptionEnded, MemberOfficialStatusGranted, MemberProfileChanged,
    MemberRegistered, MembershipEnded, MemberTemporarilyTransferred, MemberTemporaryTransferEnded, MemberTransferred,
    MemberTransferReceived, OrganizationCreated, OrganizationDissolved, OrganizationMoved, OrganizationReclassified,
    OrganizationRenamed,
)

from meetings import domain
from meetings.models import MemberStanding, Organization, OrganizationDissolution, OrganizationParent, RosterEntry

MAX_DEPTH = 32  # guards against a cycle in bad data
LEFT = "left"


@dataclass(frozen=True)
class Touch:
    """A change that may alter ratings of meetings held on or after ``since``: of ``organization_id``'s
    own meetings (a roster change) or of its whole subtree (``subtree``: a move changes the rubric lineage)."""

    organization_id: str
    since: date
    subtree: bool = False


def apply(session: Session, event: Event) -> list[Touch]:
    """Upsert what one member event says (order-tolerant); returns what it touched."""
    touches = _apply(session, event)
    session.flush()
    return touches


def _apply(session: Session, event: Event) -> list[Touch]:  # noqa: C901  (one branch per event type)
    eid = str(event.event_id)
    if isinstance(event, OrganizationCreated):
        session.merge(Organization(id=str(event.organization_id), name=event.name, kind=event.kind,
                                   sector=event.sector, created_from=event.effective_from))
        session.merge(OrganizationParent(organization_id=str(event.organization_id), valid_from=event.effective_from,
                                         parent_id=str(event.parent_id) if event.parent_id else None))
        return []
    if isinstance(event, OrganizationRenamed | OrganizationReclassified):
        org = session.get(Organization, str(event.organization_id))
        if org is not None:  # a rename of an organization not yet known is superseded by its creation event
            if isinstance(event, OrganizationRenamed):
                org.name = event.name
            else:
                org.kind, org.sector = event.kind, event.sector
        return []
    if isinstance(event, OrganizationMoved):
        session.merge(OrganizationParent(organization_id=str(event.organization_id), valid_from=event.effective_from,
                                         parent_id=str(event.parent_id)))
        return [Touch(str(event.organization_id), event.effective_from, subtree=True)]
    if isinstance(event, OrganizationDissolved):  # its members leave through their own MemberTransferred events
        session.merge(OrganizationDissolution(
            organization_id=str(event.organization_id), dissolved_from=event.effective_from, source_event_id=eid,
            merged_into_id=str(event.merged_into_id) if event.merged_into_id else None))
        return []
    if isinstance(event, MemberRegistered | MemberAdmitted | MemberTransferReceived):
        status = "probationary" if isinstance(event, MemberAdmitted) else event.status
        return _join(session, event.member_id, event.organization_id, event.effective_from, status, eid, event.full_name)
    if isinstance(event, MemberTransferred):
        touches = [Touch(str(event.from_organization_id), event.effective_from)]
        if event.to_organization_id is None:
            return touches + _join(session, event.member_id, None, event.effective_from, LEFT, eid)
        return touches + _join(session, event.member_id, event.to_organization_id, event.effective_from, None, eid)
    if isinstance(event, MembershipEnded):
        return [Touch(str(event.organization_id), event.effective_from),
                *_join(session, event.member_id, None, event.effective_from, LEFT, eid)]
    if isinstance(event, MemberProfileChanged):
        _rename(session, str(event.member_id), event.full_name)
        return []
    if isinstance(event, MemberOfficialStatusGranted):
        for entry in _entries(session, str(event.member_id)):
            if entry.status == "probationary" and (entry.valid_to is None or entry.valid_to > event.effective_from):
                entry.status = "official"
        return []
    if isinstance(event, MemberExempted):
        session.merge(MemberStanding(member_id=str(event.member_id), kind="exempt", valid_from=event.effective_from,
                                     organization_id=str(event.organization_id), source_event_id=eid))
        return [Touch(str(event.organization_id), event.effective_from)]
    if isinstance(event, MemberExemptionEnded):
        session.merge(MemberStanding(member_id=str(event.member_id), kind="exempt_end", valid_from=event.effective_from,
                                     organization_id=str(event.organization_id), source_event_id=eid))
        return [Touch(str(event.organization_id), event.effective_from)]
    if isinstance(event, MemberTemporarilyTransferred):
        session.merge(MemberStanding(member_id=str(event.member_id), kind="away", valid_from=event.effective_from,
                                     organization_id=str(event.home_organization_id), valid_to=event.until,
                                     source_event_id=eid))
        return [Touch(str(event.home_organization_id), event.effective_from)]
    if isinstance(event, MemberTemporaryTransferEnded):
        session.merge(MemberStanding(member_id=str(event.member_id), kind="away_end", valid_from=event.effective_from,
                                     organization_id=str(event.home_organization_id), source_event_id=eid))
        return [Touch(str(event.home_organization_id), event.effective_from)]
    return []


def _entries(session: Session, member_id: str) -> list[RosterEntry]:
    return list(session.execute(select(RosterEntry).where(RosterEntry.member_id == member_id)
                                .order_by(RosterEntry.valid_from)).scalars())


def _join(session: Session, member_id: uuid.UUID, org_id: uuid.UUID | None, on: date, status: str | None,
          eid: str, full_name: str | None = None) -> list[Touch]:
    """A membership segment from ``on`` (``org_id`` None: left the province or the Party); re-chain the member."""
    mid = str(member_id)
    session.flush()
    entries = _entries(session, mid)
    before = [e for e in entries if e.valid_from <= on and e.organization_id]
    name = full_name or next((e.full_name for e in reversed(entries) if e.full_name), "")
    status = status or (before[-1].status if before else "official")
    session.merge(RosterEntry(member_id=mid, valid_from=on, organization_id=str(org_id) if org_id else "",
                              full_name=name, status=status, source_event_id=eid))
    session.flush()
    entries = _entries(session, mid)
    for current, following in zip(entries, [*entries[1:], None]):
        current.valid_to = following.valid_from if following else None
    if full_name:
        _rename(session, mid, full_name)
    return [Touch(str(org_id), on)] if org_id else []


def _rename(session: Session, member_id: str, full_name: str) -> None:
    for entry in _entries(session, member_id):
        entry.full_name = full_name


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


class Tree:
    """The whole effective-dated tree in memory (bulk re-rating: one query instead of one per meeting)."""

    def __init__(self, session: Session) -> None:
        self._parents: dict[str, list[tuple[date, str | None]]] = defaultdict(list)
        for row in session.execute(select(OrganizationParent).order_by(OrganizationParent.valid_from)).scalars():
            self._parents[row.organization_id].append((row.valid_from, row.parent_id))
        self._cache: dict[tuple[str, date], list[str]] = {}

    def parent_on(self, org_id: str, on: date) -> str | None:
        rows = self._parents.get(org_id, [])
        current = [r for r in rows if r[0] <= on] or rows[:1]
        return current[-1][1] if current else None

    def lineage_on(self, org_id: str, on: date) -> list[str]:
        key = (org_id, on)
        if key not in self._cache:
            chain, current = [], org_id
            while current and current not in chain and len(chain) < MAX_DEPTH:
                chain.append(current)
                current = self.parent_on(current, on)
            self._cache[key] = chain
        return self._cache[key]

    def subtree(self, root: str) -> set[str]:
        """The root and every organization that was ever under it (any date)."""
        children: dict[str, set[str]] = defaultdict(set)
        for org, rows in self._parents.items():
            for _, parent in rows:
                children[parent or ""].add(org)
        found, todo = set(), [root]
        while todo:
            org = todo.pop()
            if org not in found:
                found.add(org)
                todo.extend(children.get(org, ()))
        return found


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


def dissolutions(session: Session) -> dict[str, date]:
    """Organization id → the date it ceased (it no longer exists on that day)."""
    return dict(session.execute(select(OrganizationDissolution.organization_id,
                                       OrganizationDissolution.dissolved_from)).all())


def cell(session: Session, org_id: uuid.UUID | str) -> domain.Cell | None:
    org = session.get(Organization, str(org_id))
    return domain.Cell(uuid.UUID(org.id), org.name, org.kind) if org else None


def cell_in_subtree(session: Session, principal: Principal, cell_id: uuid.UUID | str, on: date,
                    field: str | None = None) -> domain.Cell:
    """A cell the caller may act on, on a date: unknown (or not a cell) → 404, or a 422 naming ``field`` when the id
    came in a request body; outside the caller's subtree on that date → 403."""
    found = cell(session, cell_id)
    if found is None or found.kind not in CELL_KINDS:
        if field:
            raise ValidationFailed(FieldProblem(field, "Không tìm thấy chi bộ này", "Unknown cell"))
        raise NotFound("Không tìm thấy chi bộ", "Cell not found")
    ensure_in_subtree(principal, lineage_on(session, found.id, on))
    return found


class Roll:
    """Rosters with standings for a set of cells, in memory: ``on(cell, day)`` → members by id."""

    def __init__(self, entries: Iterable[RosterEntry], standings: Iterable[MemberStanding]) -> None:
        self._entries: dict[str, list[RosterEntry]] = defaultdict(list)
        for e in entries:
            self._entries[e.organization_id].append(e)
        marks: dict[tuple[str, str], list[MemberStanding]] = defaultdict(list)
        for s in standings:
            marks[(s.member_id, s.kind.removesuffix("_end"))].append(s)
        self._intervals: dict[str, list[tuple[str, date, date | None]]] = defaultdict(list)
        for (member, kind), rows in marks.items():
            ends = sorted(r.valid_from for r in rows if r.kind.endswith("_end"))
            for start in (r for r in rows if not r.kind.endswith("_end")):
                end = next((d for d in ends if d > start.valid_from), start.valid_to)
                self._intervals[member].append((kind, start.valid_from, end))

    def standing(self, member_id: str, on: date) -> str:
        if member_id not in self._intervals:
            return "active"
        for kind, start, end in self._intervals.get(member_id, ()):
            if start <= on and (end is None or on < end):
                return kind
        return "active"

    def _entries_on(self, org_id: str, day: date) -> list[RosterEntry]:
        return [e for e in self._entries.get(org_id, ())
                if e.valid_from <= day and (e.valid_to is None or e.valid_to > day)]

    def standings_on(self, org_id: str, day: date) -> dict[str, str]:
        """Member id → standing (active, exempt, away) of everyone on the cell's roll on a date."""
        return {e.member_id: self.standing(e.member_id, day) for e in self._entries_on(org_id, day)}

    def on(self, org_id: str, day: date) -> dict[str, domain.RosterMember]:
        return {e.member_id: domain.RosterMember(uuid.UUID(e.member_id), e.full_name, e.status,
                                                 self.standing(e.member_id, day))
                for e in self._entries_on(org_id, day)}


def roll_for(session: Session, org_ids: Iterable[str]) -> Roll:
    """The rolls of these cells with every standing of their members (a standing is the member's, wherever it
    was recorded: an exemption recorded in another cell follows the member). The one way rosters are read: the
    form's roster, notices, obligations and the ratings all go through it."""
    ids = list({str(i) for i in org_ids})
    entries = session.execute(select(RosterEntry).where(RosterEntry.organization_id.in_(ids))).scalars().all()
    members = select(RosterEntry.member_id).where(RosterEntry.organization_id.in_(ids))
    standings = session.execute(select(MemberStanding).where(MemberStanding.member_id.in_(members))).scalars().all()
    return Roll(entries, standings)


def roster_on(session: Session, org_id: uuid.UUID | str, on: date) -> list[domain.RosterMember]:
    """Members on the cell's roster on a date, by name, with their standing (active, exempt, away)."""
    return sorted(roll_for(session, [str(org_id)]).on(str(org_id), on).values(), key=lambda m: m.full_name)
