"""A minimal producer and consumer built only from shared/ parts, so the delivery
guarantees are tested on the machinery itself (the services reuse it as is)."""
from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import Column, Integer, MetaData, String, Table, select, update, insert
from sqlalchemy.engine import Engine

from shared import inbox
from shared.db import in_thread
from shared.events import OrganizationCreated
from shared.outbox import outbox_table
from shared.uow import UnitOfWork

metadata = MetaData()
outbox = outbox_table(metadata)
processed = inbox.inbox_table(metadata)
tally = Table("tally", metadata, Column("organization_id", String(80), primary_key=True), Column("seen", Integer))


def organization_created(name: str = "Chi bộ Thử nghiệm") -> OrganizationCreated:
    return OrganizationCreated(organization_id=uuid.uuid4(), parent_id=None, name=name, kind="grassroots_cell",
                               sector="administrative", effective_from=date(2026, 1, 1))


def commit_event(engine: Engine, event: OrganizationCreated) -> None:
    with UnitOfWork(engine, outbox) as uow:
        uow.session.execute(insert(tally).values(organization_id="producer-" + str(event.organization_id), seen=0))
        uow.publish(event)
        uow.commit()


def counting_handler(engine: Engine, consumer: str, fail_for: set[str] | None = None, calls: list | None = None):
    """Counts each organization once per event, idempotently; can be told to fail."""

    def apply(envelopes) -> None:
        with engine.begin() as conn:
            fresh = {str(e.event.event_id) for e in inbox.claim(conn, processed, consumer, envelopes)}
            for env in envelopes:
                event_id = str(env.event.event_id)
                if calls is not None:
                    calls.append(event_id)
                if fail_for and event_id in fail_for:
                    raise RuntimeError("handler failed on purpose")
                if event_id not in fresh:
                    continue
                key = str(env.event.organization_id)
                if conn.execute(select(tally.c.seen).where(tally.c.organization_id == key)).first() is None:
                    conn.execute(insert(tally).values(organization_id=key, seen=1))
                else:
                    conn.execute(update(tally).where(tally.c.organization_id == key).values(seen=tally.c.seen + 1))

    async def handle(envelopes) -> None:
        await in_thread(apply, envelopes)

    return handle


def seen_count(engine: Engine, organization_id) -> int:
    with engine.connect() as conn:
        return conn.execute(select(tally.c.seen).where(tally.c.organization_id == str(organization_id))).scalar() or 0
