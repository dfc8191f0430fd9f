"""The organization tree as the reports know it: parent history per org, and the
path from an org up to the root as of a day (as far as the tree is known yet)."""
from __future__ import annotations

from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.events import OrganizationCreated
from reports.models import OrgNode, OrgParent
from reports.upsert import upsert

Parents = dict[str, list[tuple[date, str | None]]]  # org -> [(valid_from, parent)], sorted

_PARENT = OrgParent.__table__


def record_organizations(session: Session, events: list[OrganizationCreated]) -> tuple[set[str], set[str]]:
    """Store nodes and parent rows; returns (orgs new to the tree, known orgs whose parent history changed)."""
    if not events:
        return set(), set()
    nodes = {str(e.organization_id): {"id": str(e.organization_id), "name": e.name, "kind": e.kind, "sector": e.sector,
                                      "cluster": e.cluster, "effective_from": e.effective_from} for e in events}
    upsert(session, OrgNode.__table__, list(nodes.values()), ["id"])
    before = load_parents(session, nodes)
    rows = {(str(e.organization_id), e.effective_from): str(e.parent_id) if e.parent_id else None for e in events}
    changed = {key: parent for key, parent in rows.items() if dict(before.get(key[0], [])).get(key[1], "?") != parent}
    upsert(session, _PARENT, [{"org_id": o, "valid_from": d, "parent_id": p} for (o, d), p in changed.items()],
           ["org_id", "valid_from"])
    touched = {org for org, _ in changed}
    return touched - set(before), touched & set(before)


def load_parents(session: Session, org_ids: Iterable[str]) -> Parents:
    parents: Parents = {}
    ids = list(set(org_ids))
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        for org, valid_from, parent in session.execute(
                select(_PARENT.c.org_id, _PARENT.c.valid_from, _PARENT.c.parent_id).where(_PARENT.c.org_id.in_(chunk))):
            parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    return parents


def load_ancestry(session: Session, org_ids: Iterable[str]) -> Parents:
    """Parent histories of the given orgs and of every ancestor they can reach (one query per tree level)."""
    parents: Parents = {}
    frontier = set(org_ids)
    while frontier:
        found = load_parents(session, frontier)
        parents.update(found)
        frontier = {p for history in found.values() for _, p in history if p and p not in parents} - frontier
    return parents


def parent_on(history: list[tuple[date, str | None]], day: date) -> str | None:
    """The parent in force on ``day``; before the first record, the first parent (the org's origin)."""
    index = bisect_right([valid_from for valid_from, _ in history], day) - 1
    return history[max(index, 0)][1]


def path_on(parents: Parents, org_id: str, day: date) -> tuple[str, ...]:
    """``org_id`` and its ancestors on ``day``; stops where the tree is not known yet."""
    path = [org_id]
    while path[-1] in parents:
        parent = parent_on(parents[path[-1]], day)
        if parent is None or parent in path:
            break
        path.append(parent)
    return tuple(path)
