"""Consumer inbox: processed event ids, written in the same transaction as the
consumer's own changes, so a redelivered event changes nothing the second time."""
from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime, timezone

from sqlalchemy import Column, DateTime, MetaData, PrimaryKeyConstraint, String, Table, insert, select
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


def claim(session: Session, table: Table, consumer: str, envelopes: Iterable) -> list:
    """The envelopes this consumer has not processed yet, each event once, now remembered.

    Call it first inside the handler's transaction and apply only what it returns:
    if the transaction rolls back, the claim rolls back with it.
    """
    envelopes = list(envelopes)
    fresh = unseen(session, table, consumer, (str(e.event.event_id) for e in envelopes))
    out = []
    for env in envelopes:
        key = str(env.event.event_id)
        if key in fresh:
            fresh.discard(key)
            out.append(env)
    remember(session, table, consumer, (str(e.event.event_id) for e in out))
    return out
