"""Member search for staff (issue 3 items 7–8): accent-insensitive name, CCCD and party card number, with
filters (status, sector, cell, age band), paged, inside the caller's subtree. Built for 100,000 members and
10,000 organizations: the subtree comes from one light query, the search key and filters hit indexes (0003), a
name alone reads the name-token index (0004)."""
from __future__ import annotations

import uuid
from collections import defaultdict
from dataclasses import dataclass
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlmodel import Session

from members import queries
from shared.calendar import add_years
from members.models import Member, MemberNameToken, MemberPlacement, NameWord, Organization, OrganizationParent
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
# A name search reads the token index (0004) when its most selective word is borne by fewer members than this
# (half of it when the typed word lies in several words of the vocabulary); a word in most names ("an", "a") reads
# the name index in order instead, which finds its page at once (and counts in one scan of the index).
TOKEN_POSTINGS_CAP = 20_000


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


# (database, day) → (links signature, children map, organizations in the tree, the subtrees walked in it by root)
_TREES: dict[tuple[str, date], tuple[tuple, dict[uuid.UUID, list[uuid.UUID]], int,
                                     dict[uuid.UUID, frozenset[uuid.UUID]]]] = {}


def _links_signature(session: Session) -> tuple:
    """Changes whenever a parent link is added or closed (one aggregate over the links, ~1 ms at 10,000)."""
    t = OrganizationParent.__table__
    return tuple(session.connection().execute(select(
        func.count(), func.max(t.c.id), func.count(t.c.valid_to), func.max(t.c.valid_to),
        func.min(t.c.valid_to))).one())


def _children_on(session: Session, on: date) -> tuple[dict[uuid.UUID, list[uuid.UUID]], int,
                                                      dict[uuid.UUID, frozenset[uuid.UUID]]]:
    """Every organization's children on ``on`` (an organization not yet in force already answers to its first
    parent, as in queries.parent_map), from plain rows, kept until the parent links change."""
    signature, key = _links_signature(session), (str(session.get_bind().url), on)
    cached = _TREES.get(key)
    if cached is not None and cached[0] == signature:
        return cached[1], cached[2], cached[3]
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
    _TREES[key] = (signature, dict(children), len(parents) + 1, {})
    return _TREES[key][1], _TREES[key][2], _TREES[key][3]


def subtree_ids(session: Session, root: uuid.UUID, on: date) -> tuple[frozenset[uuid.UUID], int]:
    """``root``'s subtree on ``on``, and the number of organizations in the tree (to skip the filter when the
    subtree is the whole province). Kept with the children map it was walked from (a province's 10,000
    organizations take ~5 ms to walk), so it is walked again exactly when the parent links change."""
    children, total, subtrees = _children_on(session, on)
    found = subtrees.get(root)
    if found is None:
        seen, stack = {root}, [root]
        while stack:
            for child in children.get(stack.pop(), ()):
                if child not in seen:
                    seen.add(child)
                    stack.append(child)
        if len(subtrees) > 256:
            subtrees.clear()
        found = subtrees[root] = frozenset(seen)
    return found, total


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


def _token_plan(conn, q: str):
    """For a typed name: the vocabulary words containing its most selective word and how many members bear them
    (counted up to TOKEN_POSTINGS_CAP), or None when no word is selective enough (then the name index is scanned).
    Exact, not an estimate: a name key contains the typed key only if each typed word lies inside one of its
    words, so the members bearing a word that contains the chosen typed word include every match; the full
    condition on the name key is still applied to them. ``([], 0)`` when some typed word is in no name at all."""
    best = None
    for typed in sorted(set(search_key(q).split()), key=len, reverse=True):
        words = list(conn.execute(select(NameWord.word).where(
            NameWord.word.like(f"%{_like(typed)}%", escape="\\"))).scalars())
        if not words:
            return [], 0
        # several words (a member may bear two of them) are counted distinct: worth it below half the cap
        cap = min(best[1] if best is not None else TOKEN_POSTINGS_CAP,
                  TOKEN_POSTINGS_CAP if len(words) == 1 else TOKEN_POSTINGS_CAP // 2)
        bearing = conn.execute(select(func.count()).select_from(
            select(MemberNameToken.token).where(_token_in(words)).limit(cap).subquery())).scalar_one()
        if bearing < cap:
            best = (words, bearing)
    return best


def _token_in(words: list[str]):
    return MemberNameToken.token == words[0] if len(words) == 1 else MemberNameToken.token.in_(words)


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
        is_name = bool(f.q.strip()) and not (f.q.strip().isascii() and f.q.strip().isdigit())
        # A name alone in the whole tree: the token index. With a filter or inside a subtree the indexes that
        # lead with status or cell read fewer entries (measured: bench/README.md), so they keep the scan.
        plan = _token_plan(conn, f.q) if is_name and len(where) == 1 and len(scope) >= all_orgs else None
        if plan is not None:
            if not plan[0]:
                return [], 0
            return _page_by_tokens(conn, plan[0], f), _total_by_tokens(conn, plan[0], f)
        ordered = select(Member.id).where(*where).order_by(Member.search_name, Member.id)
        matched = None
        if is_name:  # a name: usually few matches, one scan gives all of them
            matched = list(conn.execute(ordered.limit(FEW + 1)).scalars())
        if matched is not None and len(matched) <= FEW:
            total, ids = len(matched), matched[f.offset:f.offset + f.limit]
        elif is_name or conn.dialect.name != "sqlite":
            # Many name matches: the page stops early in the name index, the count reads it all. PostgreSQL
            # plans the window below as an ordered walk of the name index (140 ms against 10 ms, bench/README.md).
            total = conn.execute(select(func.count()).select_from(Member).where(*where)).scalar_one()
            ids = list(conn.execute(ordered.offset(f.offset).limit(f.limit)).scalars())
        else:  # SQLite, filters or digits: the page with the count of all matches in one pass (count(*) over ())
            rows = conn.execute(select(Member.id, func.count().over()).where(*where)
                                .order_by(Member.search_name, Member.id).offset(f.offset).limit(f.limit)).all()
            ids = [member_id for member_id, _ in rows]
            total = rows[0][1] if rows else conn.execute(  # past the last page: counted on its own
                select(func.count()).select_from(Member).where(*where)).scalar_one()
        return _hits(conn, ids), total


def _token_condition(words: list[str], f: MemberFilters):
    return and_(_token_in(words), MemberNameToken.search_name.like(f"%{_like(search_key(f.q))}%", escape="\\"))


def _total_by_tokens(conn, words: list[str], f: MemberFilters) -> int:
    """How many members' name keys contain the typed key: from the token index alone."""
    counted = func.count() if len(words) == 1 else func.count(MemberNameToken.member_id.distinct())
    return conn.execute(select(counted).where(_token_condition(words, f))).scalar_one()


def _page_by_tokens(conn, words: list[str], f: MemberFilters) -> list[MemberHit]:
    """The page in (name key, id) order — the member list's order — from the token index alone."""
    rows = conn.execute(
        select(MemberNameToken.search_name, MemberNameToken.member_id).where(_token_condition(words, f))
        .distinct().order_by(MemberNameToken.search_name, MemberNameToken.member_id).offset(f.offset).limit(f.limit))
    return _hits(conn, [member_id for _, member_id in rows])


def _hits(conn, ids: list[uuid.UUID]) -> list[MemberHit]:
    page = conn.execute(
        select(Member.id, Member.full_name, Member.status, Member.date_of_birth, Member.cccd,
               Member.party_card_number, Member.cell_id, Organization.name, Organization.sector)
        .select_from(Member).join(Organization, Organization.id == Member.cell_id)
        .where(Member.id.in_(ids)).order_by(Member.search_name, Member.id)).all() if ids else []
    return [MemberHit(*row) for row in page]


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
