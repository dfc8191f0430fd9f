"""Member search for staff (issue 3 items 7–8): accent-insensitive name, CCCD and party card number, with
filters (status, sector, cell, age band), paged, inside the caller's subtree. Built for 100,000 members and
10,000 organizations: the subtree comes from one light query, the search key and filters hit indexes (0003)."""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from members import queries
from shared.calendar import add_years
from members.models import Member, MemberPlacement, Organization, OrganizationParent
from members.rights import MEMBER_WRITERS, require_role
from members.searchkey import search_key
from shared import clock
from shared.auth import Principal
from shared.errors import Forbidden, ValidationFailed
from shared.uow import UnitOfWork

STATUSES = ("probationary", "official", "ended", "transferred_out")
# Age bands of the list filter (completed years on today's date): label → (from, to) inclusive.
AGE_BANDS: dict[str, tuple[int, int | None]] = {"18-30": (18, 30), "31-40": (31, 40), "41-50": (41, 50),
                                                "51-60": (51, 60), "61-70": (61, 70), "71+": (71, None)}
MAX_LIMIT = 200
FEW = 500  # up to this many name matches are fetched in one scan; beyond, a count and a page


@dataclass(frozen=True)
class MemberFilters:
    q: str = ""
    status: str | None = None
    sector: str | None = None
    cell_id: uuid.UUID | None = None
    age_band: str | None = None
    offset: int = 0
    limit: int = 50


@dataclass(frozen=True)
class MemberHit:
    id: uuid.UUID
    full_name: str
    status: str
    date_of_birth: date
    cccd: str | None
    party_card_number: str | None
    organization_id: uuid.UUID
    organization_name: str
    sector: str


_TREES: dict[tuple[str, date], tuple[tuple, dict[uuid.UUID, list[uuid.UUID]], int]] = {}  # (database, day)


def _links_signature(session: Session) -> tuple:
    """Changes whenever a parent link is added or closed (one aggregate over the links, ~1 ms at 10,000)."""
    t = OrganizationParent.__table__
    return tuple(session.connection().execute(select(
        func.count(), func.max(t.c.id), func.count(t.c.valid_to), func.max(t.c.valid_to),
        func.min(t.c.valid_to))).one())


def _children_on(session: Session, on: date) -> tuple[dict[uuid.UUID, list[uuid.UUID]], int]:
    """Every organization's children on ``on`` (an organization not yet in force already answers to its first
    parent, as in queries.parent_map), from plain rows, kept until the parent links change."""
    signature, key = _links_signature(session), (str(session.get_bind().url), on)
    cached = _TREES.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1], cached[2]
    t = OrganizationParent.__table__
    rows = session.connection().execute(select(t.c.org_id, t.c.parent_id, t.c.valid_from, t.c.valid_to)).all()
    current: dict[uuid.UUID, uuid.UUID] = {}
    upcoming: dict[uuid.UUID, tuple[date, uuid.UUID]] = {}
    for org_id, parent_id, valid_from, valid_to in rows:
        if valid_from <= on and (valid_to is None or valid_to > on):
            current[org_id] = parent_id
        elif valid_from > on and (org_id not in upcoming or valid_from < upcoming[org_id][0]):
            upcoming[org_id] = (valid_from, parent_id)
    parents = {**{o: p for o, (_, p) in upcoming.items()}, **current}
    children: dict[uuid.UUID, list[uuid.UUID]] = defaultdict(list)
    for child, parent in parents.items():
        children[parent].append(child)
    if len(_TREES) > 8:
        _TREES.clear()
    _TREES[key] = (signature, dict(children), len(parents) + 1)
    return _TREES[key][1], _TREES[key][2]


def subtree_ids(session: Session, root: uuid.UUID, on: date) -> tuple[set[uuid.UUID], int]:
    """``root``'s subtree on ``on``, and the number of organizations in the tree (to skip the filter when the
    subtree is the whole province)."""
    children, total = _children_on(session, on)
    seen, stack = {root}, [root]
    while stack:
        for child in children.get(stack.pop(), ()):
            if child not in seen:
                seen.add(child)
                stack.append(child)
    return seen, total


def _problems(f: MemberFilters) -> None:
    if f.status and f.status not in STATUSES:
        raise ValidationFailed.of("status", "Trạng thái không hợp lệ", "Unknown status")
    if f.age_band and f.age_band not in AGE_BANDS:
        raise ValidationFailed.of("age_band", "Nhóm tuổi không hợp lệ", "Unknown age band")
    if f.offset < 0:
        raise ValidationFailed.of("offset", "Vị trí bắt đầu không được âm", "The offset must not be negative")
    if not 1 <= f.limit <= MAX_LIMIT:
        raise ValidationFailed.of("limit", f"Số dòng mỗi trang từ 1 đến {MAX_LIMIT}",
                                  f"Rows per page from 1 to {MAX_LIMIT}")


def _like(text: str) -> str:
    return text.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _text_condition(q: str):
    q = q.strip()
    if not q:
        return None
    if q.isascii() and q.isdigit():  # CCCD or card number, from its first digits (an index range, not a scan)
        upper = q + "~"
        return or_(and_(Member.cccd >= q, Member.cccd < upper),
                   and_(Member.party_card_number >= q, Member.party_card_number < upper))
    key = search_key(q)
    return Member.search_name.like(f"%{_like(key)}%", escape="\\")  # alone: an index-only scan


def search_members(uow: UnitOfWork, principal: Principal, f: MemberFilters,
                   today: date | None = None) -> tuple[list[MemberHit], int]:
    """One page of the members in the caller's subtree matching ``f`` (by name without diacritics), and
    how many match in all. Ended members are found in the cell they left (``member.cell_id``: the latest
    placement's cell), so the query reads the member table alone and the organization for the page's rows."""
    today = today or clock.today()
    require_role(principal, MEMBER_WRITERS)
    _problems(f)
    with uow:
        session = uow.session
        root = principal.org_id
        scope, all_orgs = subtree_ids(session, root, today)
        if f.cell_id is not None:  # a cell, or any organization: its whole subtree (inside the caller's)
            if session.get(Organization, f.cell_id) is None:
                raise ValidationFailed.of("cell_id", "Không tìm thấy tổ chức này", "No such organization")
            if f.cell_id not in scope:
                raise Forbidden()
            root = f.cell_id
            scope, all_orgs = subtree_ids(session, root, today)
        where = []
        if (cond := _text_condition(f.q)) is not None:
            where.append(cond)
        if f.status:
            where.append(Member.status == f.status)
        if f.age_band:
            low, high = AGE_BANDS[f.age_band]
            where.append(Member.date_of_birth <= add_years(today, -low))
            if high is not None:
                where.append(Member.date_of_birth > add_years(today, -(high + 1)))
        if len(scope) == 1:
            where.append(Member.cell_id == root)
        elif len(scope) < all_orgs:
            where.append(Member.cell_id.in_(scope))
        if f.sector:
            where.append(Member.cell_id.in_(select(Organization.id).where(Organization.sector == f.sector)))
        conn = session.connection()
        ordered = select(Member.id).where(*where).order_by(Member.search_name, Member.id)
        matched = None
        if f.q.strip() and not f.q.strip().isdigit():  # a name: usually few matches, one scan gives all of them
            matched = list(conn.execute(ordered.limit(FEW + 1)).scalars())
        if matched is not None and len(matched) <= FEW:
            total, ids = len(matched), matched[f.offset:f.offset + f.limit]
        else:
            total = conn.execute(select(func.count()).select_from(Member).where(*where)).scalar_one()
            ids = list(conn.execute(ordered.offset(f.offset).limit(f.limit)).scalars())
        page = conn.execute(
            select(Member.id, Member.full_name, Member.status, Member.date_of_birth, Member.cccd,
                   Member.party_card_number, Member.cell_id, Organization.name, Organization.sector)
            .select_from(Member).join(Organization, Organization.id == Member.cell_id)
            .where(Member.id.in_(ids)).order_by(Member.search_name, Member.id)).all() if ids else []
        return [MemberHit(*row) for row in page], total


def organizations_with_counts(uow: UnitOfWork, principal: Principal, today: date | None = None) -> list[dict]:
    """The caller's subtree as a tree for the web page: each organization with kind, sector, its own and
    rolled-up official / probationary counts, its children (nested) — computed in three queries."""
    today = today or clock.today()
    with uow:
        session = uow.session
        ids = queries.subtree(session, principal.org_id, today)
        orgs = {o.id: o for o in session.scalars(select(Organization).where(Organization.id.in_(ids)))}
        parents = queries.parent_map(session, today)
        counts: dict[uuid.UUID, dict[str, int]] = defaultdict(lambda: {"official": 0, "probationary": 0})
        rows = session.connection().execute(
            select(MemberPlacement.organization_id, Member.status, func.count())
            .join(Member, Member.id == MemberPlacement.member_id)
            .where(MemberPlacement.valid_to.is_(None), Member.status.in_(("official", "probationary")))
            .group_by(MemberPlacement.organization_id, Member.status)).all()
        for org_id, status, n in rows:
            counts[org_id][status] += n
        nodes = {}
        for org_id in ids:
            org = orgs.get(org_id)
            if org is None:
                continue
            nodes[org_id] = {"id": org_id, "name": org.name, "kind": org.kind, "sector": org.sector,
                             "cluster": org.cluster, "dissolved": bool(org.dissolved_on and org.dissolved_on <= today),
                             "official": counts[org_id]["official"], "probationary": counts[org_id]["probationary"],
                             "own_official": counts[org_id]["official"],
                             "own_probationary": counts[org_id]["probationary"], "children": [], "warnings": []}
        for org_id in reversed(ids):  # breadth first reversed: children are summed before their parents
            node, parent = nodes.get(org_id), parents.get(org_id)
            if node is None or org_id == principal.org_id or parent not in nodes:
                continue
            nodes[parent]["official"] += node["official"]
            nodes[parent]["probationary"] += node["probationary"]
        for org_id in ids:
            parent = parents.get(org_id)
            if org_id != principal.org_id and parent in nodes and org_id in nodes:
                nodes[parent]["children"].append(nodes[org_id])
        for node in nodes.values():
            node["children"].sort(key=lambda n: (n["dissolved"], search_key(n["name"])))
        return [nodes[principal.org_id]] if principal.org_id in nodes else []
