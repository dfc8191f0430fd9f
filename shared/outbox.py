"""Transactional outbox: events commit with the change that produced them and
are published afterwards with ``Nats-Msg-Id`` = event id.

A crash between commit and publish leaves the row unpublished: the next relay
publishes it. A crash between publish and marking the row re-publishes it, and
JetStream's duplicate window (stream config) drops the copy; consumers' inboxes
catch anything older than the window.
"""
from __future__ import annotations

import asyncio
import json
from collections.abc import Awaitable, Callable, Iterable
from datetime import datetime, timezone

from sqlalchemy import BigInteger, Column, DateTime, Index, Integer, MetaData, String, Table, Text, insert, select, update, func
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from shared.events import Event
from shared.logging import CORRELATION_HEADER, correlation_id

Publish = Callable[[str, bytes, dict[str, str]], Awaitable[None]]


def outbox_table(metadata: MetaData) -> Table:
    return Table(
        "outbox",
        metadata,
        Column("seq", BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True),
        Column("event_id", String(36), nullable=False, unique=True),
        Column("subject", String(200), nullable=False),
        Column("payload", Text, nullable=False),
        Column("headers", Text, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False),
        Column("published_at", DateTime(timezone=True), nullable=True),
        Index("ix_outbox_unpublished", "published_at", "seq"),
    )


def enqueue(session: Session, table: Table, events: Iterable[Event | tuple[Event, str | None]]) -> list[Event]:
    """Add events to the outbox inside the caller's transaction.

    Each item is an event or ``(event, correlation_id)``; without one, the
    correlation id of the current request or handled event is used."""
    pairs = [item if isinstance(item, tuple) else (item, None) for item in events]
    if not pairs:
        return []
    now = datetime.now(timezone.utc)
    session.execute(insert(table), [
        {"event_id": str(e.event_id), "subject": e.subject, "payload": e.model_dump_json(),
         "headers": json.dumps({CORRELATION_HEADER: cid or correlation_id.get() or "",
                                "Chibo-Event-Type": type(e).__name__, "Chibo-Schema-Version": str(e.schema_version)}),
         "created_at": now}
        for e, cid in pairs
    ])
    return [e for e, _ in pairs]


class OutboxRelay:
    """Publishes committed outbox rows in commit order; wake it with ``notify()``."""

    def __init__(self, engine: Engine, table: Table, publish: Publish, *, on_published=None,
                 batch: int = 500, idle_poll_s: float = 1.0, logger=None) -> None:
        self.engine, self.table, self.publish = engine, table, publish
        self.batch, self.idle_poll_s, self.logger = batch, idle_poll_s, logger
        self.on_published = on_published or (lambda subject: None)
        self._wake = asyncio.Event()
        self._loop: asyncio.AbstractEventLoop | None = None

    def notify(self) -> None:
        """Thread-safe: called after a commit that enqueued events."""
        if self._loop is not None:
            self._loop.call_soon_threadsafe(self._wake.set)

    def _pending(self) -> list:
        with self.engine.connect() as conn:
            return conn.execute(select(self.table.c.seq, self.table.c.event_id, self.table.c.subject,
                                       self.table.c.payload, self.table.c.headers)
                                .where(self.table.c.published_at.is_(None))
                                .order_by(self.table.c.seq).limit(self.batch)).all()

    def _mark(self, seqs: list[int]) -> None:
        with self.engine.begin() as conn:
            conn.execute(update(self.table).where(self.table.c.seq.in_(seqs))
                         .values(published_at=datetime.now(timezone.utc)))

    def backlog(self) -> int:
        with self.engine.connect() as conn:
            return conn.execute(select(func.count()).select_from(self.table)
                                .where(self.table.c.published_at.is_(None))).scalar_one()

    async def drain_once(self) -> int:
        """Publish everything pending now; returns how many were published."""
        total = 0
        while rows := await asyncio.to_thread(self._pending):
            done: list[int] = []
            try:
                for row in rows:
                    headers = {**json.loads(row.headers), "Nats-Msg-Id": row.event_id}
                    await self.publish(row.subject, row.payload.encode(), headers)
                    done.append(row.seq)
                    self.on_published(row.subject)
            finally:
                if done:
                    await asyncio.to_thread(self._mark, done)
            total += len(done)
        return total

    async def run(self) -> None:
        self._loop = asyncio.get_running_loop()
        while True:
            self._wake.clear()
            try:
                await self.drain_once()
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # NATS or database down: keep the rows, try again
                if self.logger:
                    self.logger.warning("outbox.publish_failed", error=str(exc))
                await asyncio.sleep(self.idle_poll_s)
                continue
            try:
                await asyncio.wait_for(self._wake.wait(), self.idle_poll_s)
            except TimeoutError:
                pass
