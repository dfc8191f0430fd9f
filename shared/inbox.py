"""Consumer inbox: processed event ids, written in the same transaction as the
consumer's own changes, so a redelivered event changes nothing the second time."""
from __future__ import annotations

import json

from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, insert, select, text
from sqlalchemy.orm import Session


def inbox_table(metadata: MetaData) -> Table:
    return Table(
        "processed_events",
        metadata,
        Column("consumer", String(100), nullable=False),
        Column("event_id", String(36), nullable=False),
        Column("processed_at", DateTime(timezone=True), nullable=False),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


def unseen(session: Session, table: Table, consumer: str, event_ids: Iterable[str]) -> set[str]:
    """The ids in ``event_ids`` this consumer has not processed (one query per batch)."""
    ids = set(event_ids)
    if not ids:
        return ids
    seen = session.execute(select(table.c.event_id).where(table.c.consumer == consumer, table.c.event_id.in_(ids)))
    return ids - {row[0] for row in seen}


def remember(session: Session, table: Table, consumer: str, event_ids: Iterable[str]) -> None:
    now = datetime.now(timezone.utc)
    rows = [{"consumer": consumer, "event_id": i, "processed_at": now} for i in event_ids]
    if rows:
        session.execute(insert(table), rows)


def claim(session: Session, table: Table, consumer: str, items: Iterable, key=None) -> list:
    """The items this consumer has not processed yet, each event once, now remembered.

    One ``INSERT … SELECT … ON CONFLICT DO NOTHING RETURNING`` per batch with all ids as ONE array
    parameter: the conflict check always uses the primary key (an ``IN (…)`` lookup of a growing table
    got a sequential scan on PostgreSQL), and the SQL text never changes, so it is not recompiled per
    batch (a VALUES row per id was ~40 % of a replay). Call it first inside the handler's transaction and
    apply only what it returns: if the transaction rolls back, the claim rolls back with it. ``key`` maps
    an item to its event id (default: an Envelope's ``event.event_id``).
    """
    key = key or (lambda env: str(env.event.event_id))
    items = list(items)
    ids = list(dict.fromkeys(key(item) for item in items))
    if not ids:
        return []
    conn = session.connection() if hasattr(session, "connection") and not hasattr(session, "exec_driver_sql") \
        else session  # a Session or a Connection
    fresh = _insert_new(conn, table, consumer, ids)
    out = []
    for item in items:
        if (k := key(item)) in fresh:
            fresh.discard(k)  # the same event twice in one batch counts once
            out.append(item)
    return out


def _insert_new(conn, table: Table, consumer: str, ids: list[str]) -> set[str]:
    now = datetime.now(timezone.utc)
    dialect = conn.dialect.name
    if dialect == "sqlite":
        sql = (f"INSERT INTO {table.name} (consumer, event_id, processed_at) SELECT ?, value, ? FROM json_each(?) "
               "WHERE true ON CONFLICT DO NOTHING RETURNING event_id")
        stamp = now.strftime("%Y-%m-%d %H:%M:%S.%f")  # SQLAlchemy's own DateTime text on SQLite
        return {row[0] for row in conn.exec_driver_sql(sql, (consumer, stamp, json.dumps(ids)))}
    if dialect == "postgresql":
        sql = text(f"INSERT INTO {table.name} (consumer, event_id, processed_at) "
                   "SELECT :consumer, unnest(CAST(:ids AS VARCHAR(36)[])), :now "
                   "ON CONFLICT DO NOTHING RETURNING event_id")
        return set(conn.execute(sql, {"consumer": consumer, "ids": ids, "now": now}).scalars())
    fresh = unseen(conn, table, consumer, ids)  # any other database: two statements, same contract
    remember(conn, table, consumer, fresh)
    return fresh
