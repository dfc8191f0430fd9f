"""A large subtree's ids as one parameter (``tree.among_param``): on SQLite kept per connection in a temporary
table (read by an IN as it is), otherwise a JSON array (SQLite) or an array (PostgreSQL); the rows are the same."""
from __future__ import annotations

from datetime import date

from sqlalchemy import insert, select, text
from sqlmodel import Session

from reports import tree
from reports.models import OrgNode

_NODE = OrgNode.__table__
IDS = [f"org-{n:04d}" for n in range(300)]


def _nodes(engine, ids) -> None:
    with Session(engine) as session:
        session.execute(insert(_NODE), [{"id": i, "name": f"Chi bộ {i}", "kind": "subordinate_cell",
                                         "sector": "administrative", "effective_from": date(2025, 1, 1)} for i in ids])
        session.commit()


def _read(session: Session, ids) -> list[str]:
    return sorted(session.execute(select(_NODE.c.id).where(tree.among_param(session, _NODE.c.id, ids))).scalars())


def _temp_tables(session: Session) -> list[str]:
    return sorted(session.execute(text("SELECT name FROM sqlite_temp_master WHERE type = 'table'")).scalars())


def test_a_large_subtree_kept_in_a_table_per_connection_reads_the_rows_of_the_json_list_and_is_filled_once(
        engine, monkeypatch):
    _nodes(engine, IDS)
    first, second = frozenset(IDS[:150] + ["elsewhere"]), frozenset(IDS[100:250])
    expected = sorted(IDS[:150]), sorted(IDS[100:250])
    monkeypatch.setattr(tree, "LISTED", 0)
    with Session(engine) as session:
        sqlite = session.get_bind().dialect.name == "sqlite"
        assert (_read(session, first), _read(session, second)) == expected  # a set, not a kept subtree: no table
        assert not sqlite or _temp_tables(session) == []
    monkeypatch.setattr(tree, "KEPT_TABLE_FROM", 100)
    monkeypatch.setattr(tree, "KEPT_TABLES", 1)
    with Session(engine) as session:
        assert [_read(session, ids) for ids in (first, first, second, first)] == [expected[0], expected[0], *expected[::-1]]
        if sqlite:  # one slot, refilled when another subtree needs it; the same connection keeps it after the request
            assert _temp_tables(session) == ["kept_subtree_0"]
            connection = session.connection().connection.dbapi_connection
    if sqlite:
        with Session(engine) as session:
            assert session.connection().connection.dbapi_connection is connection  # the pool's one connection
            assert _read(session, first) == expected[0]
            assert session.connection().connection.info["chibo_kept_subtrees"] == {first: "kept_subtree_0"}


def test_inside_a_write_transaction_the_ids_go_as_the_json_list_and_nothing_is_kept(engine, monkeypatch):
    _nodes(engine, IDS)
    monkeypatch.setattr(tree, "LISTED", 0)
    monkeypatch.setattr(tree, "KEPT_TABLE_FROM", 100)
    subtree = frozenset(IDS[:120] + ["org-new"])
    with Session(engine) as session:
        _nodes_in(session, ["org-new"])  # not committed: the transaction is open
        assert _read(session, subtree) == sorted(IDS[:120] + ["org-new"])
        if session.get_bind().dialect.name == "sqlite":
            assert session.connection().connection.info.get("chibo_kept_subtrees", {}) == {}
        session.rollback()
        assert _read(session, subtree) == sorted(IDS[:120])  # now kept (SQLite), and the rollback left it whole


def _nodes_in(session: Session, ids) -> None:
    session.execute(insert(_NODE), [{"id": i, "name": i, "kind": "subordinate_cell", "sector": "administrative",
                                     "effective_from": date(2025, 1, 1)} for i in ids])
