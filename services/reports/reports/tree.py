"""The organization tree as the reports know it: parent history per org, and the
path from an org up to the root as of a day (as far as the tree is known yet)."""
from __future__ import annotations

import json
import threading
import uuid
from bisect import bisect_right
from collections.abc import Iterable
from datetime import date

import structlog
from sqlalchemy import String, any_, bindparam, func, literal, select, true, update
from sqlalchemy import column as sql_column, table as sql_table
from sqlalchemy.dialects import postgresql
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared.events import (OrganizationCreated, OrganizationDissolved, OrganizationMoved, OrganizationReclassified,
                           OrganizationRenamed)
from reports.models import OrgAttr, OrgNode, OrgParent, ProjectionLock
from reports.upsert import upsert

Parents = dict[str, list[tuple[date, str | None]]]  # org -> [(valid_from, parent)], sorted

_PARENT, _ATTR, _LOCK, _NODE = OrgParent.__table__, OrgAttr.__table__, ProjectionLock.__table__, OrgNode.__table__


TREE_EVENTS = (OrganizationCreated, OrganizationMoved, OrganizationRenamed, OrganizationReclassified,
               OrganizationDissolved)
TreeEvent = OrganizationCreated | OrganizationMoved | OrganizationRenamed | OrganizationReclassified | OrganizationDissolved


def record_tree(session: Session, events: list[TreeEvent]) -> tuple[set[str], set[str]]:
    """Store nodes, parent rows (Created, Moved) and dated attributes (Created, Renamed, Reclassified, Dissolved);
    returns (orgs new to the tree, known orgs whose parent history changed)."""
    if not events:
        return set(), set()
    created = [e for e in events if isinstance(e, OrganizationCreated)]
    nodes = {str(e.organization_id): {"id": str(e.organization_id), "name": e.name, "kind": e.kind, "sector": e.sector,
                                      "cluster": e.cluster, "effective_from": e.effective_from} for e in created}
    upsert(session, OrgNode.__table__, list(nodes.values()), ["id"])
    attrs = {(r["org_id"], r["attr"], r["valid_from"]): r for e in events for r in _attr_rows(e)}
    upsert(session, _ATTR, list(attrs.values()), ["org_id", "attr", "valid_from"])
    _refresh_nodes(session, {key[0] for key in attrs})
    moves = [e for e in events if isinstance(e, (OrganizationCreated, OrganizationMoved))]
    rows = {(str(e.organization_id), e.effective_from): str(e.parent_id) if e.parent_id else None for e in moves}
    before = load_parents(session, {org for org, _ in rows})
    changed = {key: parent for key, parent in rows.items() if dict(before.get(key[0], [])).get(key[1], "?") != parent}
    upsert(session, _PARENT, [{"org_id": o, "valid_from": d, "parent_id": p} for (o, d), p in changed.items()],
           ["org_id", "valid_from"])
    touched = {org for org, _ in changed}
    # any tree event: the kept subtrees (``pieces``) and names (``attributes_on``) are stale from this commit on
    session.execute(update(_LOCK).where(_LOCK.c.id == 1).values(tree_version=uuid.uuid4().hex))
    return touched - set(before), touched & set(before)


def _attr_rows(event: TreeEvent) -> list[dict]:
    values: dict[str, str] = {}
    if isinstance(event, (OrganizationCreated, OrganizationRenamed)):
        values["name"] = event.name
    if isinstance(event, (OrganizationCreated, OrganizationReclassified)):
        values.update(kind=event.kind, sector=event.sector)
    if isinstance(event, OrganizationDissolved):
        values["dissolved"] = str(event.merged_into_id or "")
    return [{"org_id": str(event.organization_id), "attr": attr, "valid_from": event.effective_from, "value": value}
            for attr, value in values.items()]


def _refresh_nodes(session: Session, org_ids: set[str]) -> None:
    """Keep org_node's name, kind, sector and dissolved_on at their latest dated values (any arrival order)."""
    latest: dict[str, dict[str, tuple[date, str]]] = {}
    for org, attr, valid_from, value in session.execute(select(_ATTR).where(_ATTR.c.org_id.in_(list(org_ids)))):
        if attr not in latest.setdefault(org, {}) or latest[org][attr][0] < valid_from:
            latest[org][attr] = (valid_from, value)
    for org, attrs in latest.items():
        values = {attr: value for attr, (_, value) in attrs.items() if attr != "dissolved"}
        if "dissolved" in attrs:
            values["dissolved_on"] = attrs["dissolved"][0]
        session.execute(update(OrgNode.__table__).where(OrgNode.__table__.c.id == org).values(**values))


def attributes_on(session: Session, attr: str, day: date, org_ids: Iterable[str] | None = None) -> dict[str, str]:
    """Every org's ``attr`` (name, kind, sector) in force on ``day`` (its first value before it was recorded);
    only those of ``org_ids`` when given (a national projection holds 300,000 organizations), their histories
    then kept in memory while no tree event arrives (``tree_version``)."""
    if org_ids is None:
        history: dict[str, list[tuple[date, str]]] = {}
        for org, valid_from, value in session.execute(
                select(_ATTR.c.org_id, _ATTR.c.valid_from, _ATTR.c.value).where(_ATTR.c.attr == attr)):
            history.setdefault(org, []).append((valid_from, value))
        return {org: parent_on(sorted(rows), day) for org, rows in history.items()}
    wanted = set(org_ids)
    known = _histories(session, attr, wanted)
    return {org: parent_on(known[org], day) for org in wanted if known[org]}


def names_on(session: Session, day: date, org_ids: Iterable[str]) -> dict[str, str]:
    """Each org's name in force on ``day``, else its latest (``org_node``: an org with no dated name)."""
    wanted = set(org_ids)
    latest = _histories(session, _NODE_NAME, wanted)
    return {**{org: rows[-1][1] for org in wanted if (rows := latest[org])}, **attributes_on(session, "name", day, wanted)}


_NODE_NAME = "org_node.name"  # org_node's latest name, kept with the dated attributes as a one-entry history
# (database, attr) -> (tree_version, org -> [(valid_from, value)] sorted; [] for an org with none)
_HISTORIES: dict[tuple[str, str], tuple[str, dict[str, list[tuple[date, str]]]]] = {}


def _histories(session: Session, attr: str, orgs: set[str]) -> dict[str, list[tuple[date, str]]]:
    version = _version(session)
    known: dict[str, list[tuple[date, str]]] = {}
    if version is not None:
        key = (str(session.get_bind().url), attr)
        with _CACHE_LOCK:
            cached = _HISTORIES.get(key)
            if cached is None or cached[0] != version or len(cached[1]) > KEPT_HISTORIES:
                cached = _HISTORIES[key] = (version, {})
        known = cached[1]  # only ever added to, for this version
    missing = [org for org in orgs if org not in known]
    if missing:
        found: dict[str, list[tuple[date, str]]] = {org: [] for org in missing}
        if attr == _NODE_NAME:
            query = select(_NODE.c.id, _NODE.c.name).where(among_param(session, _NODE.c.id, missing))
            rows = ((org, date.min, name) for org, name in session.execute(query))
        else:
            rows = session.execute(select(_ATTR.c.org_id, _ATTR.c.valid_from, _ATTR.c.value).where(
                _ATTR.c.attr == attr, among_param(session, _ATTR.c.org_id, missing)))
        for org, valid_from, value in rows:
            found[org].append((valid_from, value))
        for history in found.values():
            history.sort()
        known.update(found)
    return known


KEPT_HISTORIES = 400_000  # orgs whose histories are kept per attribute (a national projection holds ~300,000)


def _version(session: Session) -> str | None:
    """``projection_lock.tree_version``: None before the first tree event (then nothing is kept)."""
    return session.execute(select(_LOCK.c.tree_version).where(_LOCK.c.id == 1)).scalar_one_or_none() or None


def all_parents(session: Session) -> Parents:
    """The whole parent history (a province: thousands of rows)."""
    parents: Parents = {}
    for org, valid_from, parent in session.execute(select(_PARENT.c.org_id, _PARENT.c.valid_from, _PARENT.c.parent_id)):
        parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    return parents


# (database, root) -> (tree_version, the root's parent histories, as a subtrees.Tree);
# (database, roots, start, end, today) -> (tree_version, its pieces)
_SUBTREES: dict[tuple[str, str], tuple] = {}
_PIECES: dict[tuple, tuple[str, list]] = {}
_CACHE_LOCK = threading.Lock()
CACHED = 256  # entries of each: a province's ~4,700 organizations take ~2 MB


def pieces(session: Session, roots: list[str], start: date, end: date, today: date | None = None) -> list:
    """``subtrees.segments`` of ``roots[0]``'s subtree (its ``children`` after it), kept in memory while no
    batch changes a parent link (``projection_lock.tree_version``, a new token written by ``record_tree`` in the
    batch's transaction; one row read per call). The same answer as reading and walking the tree each time,
    ~30 ms for a province at national scale. Never cached before the first token (a tree loaded some other way,
    tables made without migrations). The result is shared: callers must not change it."""
    from reports import subtrees
    version = _version(session)
    database = str(session.get_bind().url)
    key = (database, tuple(roots), start, end, today)
    hit = _PIECES.get(key)
    if version is not None and hit is not None and hit[0] == version:
        return hit[1]
    parents = _SUBTREES.get((database, roots[0]))
    if parents is not None and parents[0] == version:
        _remember(_SUBTREES, (database, roots[0]), parents)  # used last: pushed out last
    else:
        parents = (version, subtrees.Tree(subtree_parents(session, roots[0])))
        if version is not None and len(parents[1].parents) >= KEPT_FROM:
            _remember(_SUBTREES, (database, roots[0]), parents)
        if version is not None and len(parents[1].parents) >= WARM_FROM:
            _warm_later(session.get_bind(), database, version)
    found = parents[1].segments(roots, start, end, today)
    if version is not None and len(parents[1].parents) >= KEPT_FROM:
        _remember(_PIECES, key, (version, found))
    return found


KEPT_FROM = 50  # a smaller subtree is read again each time (~1 ms): kept, thousands of cells would push out the
# provinces' and committees' subtrees
WARM_FROM = 1000  # a subtree this large read cold: the other top-level subtrees are read too, in the background


def _remember(cache: dict, key, value) -> None:
    with _CACHE_LOCK:  # request threads share the caches
        cache.pop(key, None)
        if len(cache) >= CACHED:
            cache.pop(next(iter(cache)))  # the oldest entry (dicts keep insertion order)
        cache[key] = value


_WARMED: dict[str, str] = {}  # database -> the tree version whose top-level subtrees were read ahead


def _warm_later(bind, database: str, version: str) -> None:
    """Once per tree version and database, ``warm`` in a background thread: after a start or a tree change the
    first request of a large subtree pays for its own read (~30 ms for a province at national scale); the
    other provinces' first requests, arriving a moment later, find theirs read."""
    with _CACHE_LOCK:
        if _WARMED.get(database) == version or not isinstance(bind, Engine):
            return
        _WARMED[database] = version
    threading.Thread(target=warm, args=(bind, version), name="reports-tree-warm", daemon=True).start()


def warm(engine: Engine, version: str | None = None) -> int:
    """Read and keep the subtree (parent histories, names) of every top-level organization (no parent on some
    day: the provinces) at the tree version the read sees, unless another version than ``version`` is in
    force by then. Returns how many subtrees were read; failures are logged, never raised (it is a cache)."""
    from reports import subtrees
    database, count = str(engine.url), 0
    try:
        with Session(engine) as session:  # one snapshot: every subtree read is of the version checked here
            seen = _version(session)
            if seen is None or version is not None and seen != version:
                return 0
            tops = session.execute(select(_PARENT.c.org_id).where(_PARENT.c.parent_id.is_(None)).distinct()).scalars()
            for root in list(tops):
                hit = _SUBTREES.get((database, root))
                if hit is None or hit[0] != seen:
                    hit = (seen, subtrees.Tree(subtree_parents(session, root)))
                    _remember(_SUBTREES, (database, root), hit)
                    count += 1
                names_on(session, date.today(), hit[1].subtree_on(date.today(), root))  # today's interval derived
    except Exception as exc:  # noqa: BLE001 — the requests read what the warm-up could not
        structlog.get_logger("reports.tree").warning("tree.warm_failed", error=repr(exc))
    return count


def subtree_parents(session: Session, root: str) -> Parents:
    """The parent histories of ``root`` and of every org that was ever under it (any parent link, any day:
    one recursive query). What ``all_parents`` would say about the subtree on any day, without reading the
    whole tree: an org never linked below the root can never be in its subtree."""
    ever = select(literal(root).label("id")).cte("ever_under", recursive=True)
    ever = ever.union(select(_PARENT.c.org_id).where(_PARENT.c.parent_id == ever.c.id))
    parents: Parents = {}
    for org, valid_from, parent in session.execute(
            select(_PARENT.c.org_id, _PARENT.c.valid_from, _PARENT.c.parent_id).where(
                _PARENT.c.org_id.in_(select(ever.c.id)))):
        parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    return parents


MAX_LISTED = 20000  # ids passed to one IN list (SQLite allows 32,766 parameters)


def among(column, org_ids: Iterable[str]):
    """``column IN org_ids`` for a query whose rows are filtered by org afterwards anyway (a pure speed-up:
    the index reads the subtree's rows only); no condition at all for a set too large to list."""
    ids = list(set(org_ids))
    return column.in_(ids) if len(ids) <= MAX_LISTED else true()


LISTED = 64  # up to this many orgs, an ordinary IN list: the planner sees how few and reads their rows by org


def among_param(session: Session, column, org_ids: Iterable[str], key: str = "org_ids"):
    """``column IN org_ids``; for more than ``LISTED`` ids, as ONE parameter (SQLite: a JSON array read by
    ``json_each``; PostgreSQL: an array): a province's ~9,000 ids rendered as one ``?`` each cost far more than
    the query (SQLAlchemy's expanding IN, ~0.1 s at national scale), and the statement text stays the same, so
    it is compiled once. A pure speed-up, as ``among``: the rows are filtered by org afterwards anyway. ``key``
    names the parameter (any ids: members too; two in one statement need two names)."""
    ids, encoded = _listed(org_ids)
    dialect = session.get_bind().dialect.name
    if len(ids) <= LISTED:
        return column.in_(ids)
    if dialect == "sqlite":
        kept = _kept_table(session, org_ids, encoded) if len(ids) >= KEPT_TABLE_FROM else None
        if kept is not None:
            return column.in_(select(kept.c.id))
        return column.in_(select(func.json_each(bindparam(key, encoded)).table_valued("value").c.value))
    if dialect == "postgresql":
        return column == any_(bindparam(key, ids, type_=postgresql.ARRAY(String)))
    return among(column, ids)


_ENCODED: dict[frozenset, tuple[list[str], str]] = {}

# SQLite: a subtree this large (a province at national scale: ~9,300 ids) is kept, per database connection, in a
# temporary table with its ids as primary key, which an IN reads as it is; the JSON array would be parsed into a
# new temporary index by every IN that reads it (a province's overdue probations read it twice: ~8 ms of ~20).
KEPT_TABLE_FROM = 1000
KEPT_TABLES = 64  # per connection (the provinces of a country: 34; ~0.4 MB each)


def _kept_table(session: Session, org_ids, encoded: str):
    """The temporary table holding ``org_ids`` (a frozenset: a kept subtree) on the session's connection,
    created on first use (one statement filling it from the JSON array, committed at once); None when the ids are
    not a frozenset or the connection is inside a transaction (a write: the table would share its fate)."""
    if not isinstance(org_ids, frozenset):
        return None
    proxied = session.connection().connection
    kept: dict[frozenset, str] = proxied.info.setdefault("chibo_kept_subtrees", {})
    name = kept.get(org_ids)
    if name is None:
        dbapi = proxied.dbapi_connection
        if dbapi is None or dbapi.in_transaction:
            return None
        names = set(kept.values())
        cursor = dbapi.cursor()
        try:
            if len(kept) >= KEPT_TABLES:
                name = kept.pop(next(iter(kept)))  # the oldest: its table is filled again
                cursor.execute(f"DELETE FROM temp.{name}")
            else:
                name = next(f"kept_subtree_{n}" for n in range(KEPT_TABLES + 1) if f"kept_subtree_{n}" not in names)
                cursor.execute(f"CREATE TEMP TABLE IF NOT EXISTS {name} (id TEXT PRIMARY KEY) WITHOUT ROWID")
                cursor.execute(f"DELETE FROM temp.{name}")
            cursor.execute(f"INSERT INTO temp.{name} (id) SELECT value FROM json_each(?)", (encoded,))
            dbapi.commit()
        except BaseException:
            dbapi.rollback()
            raise
        finally:
            cursor.close()
        kept[org_ids] = name
    else:
        kept[org_ids] = kept.pop(org_ids)  # used last: pushed out last
    return sql_table(name, sql_column("id"), schema="temp")


def _listed(org_ids: Iterable[str]) -> tuple[list[str], str]:
    """The ids sorted, and as a JSON array; kept for a frozenset (a cached piece's subtree is the same object
    request after request: a province's ~4,700 ids cost ~1.5 ms to sort and encode, several times a request)."""
    if isinstance(org_ids, frozenset) and org_ids in _ENCODED:
        return _ENCODED[org_ids]
    ids = sorted(org_ids)
    found = (ids, json.dumps(ids))
    if isinstance(org_ids, frozenset) and len(ids) > LISTED:
        _remember(_ENCODED, org_ids, found)
    return found


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


def parent_on(history: list[tuple[date, str | None]], day: date):
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
