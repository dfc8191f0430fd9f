"""Rebuild the projection from the log into a fresh database, then switch the service to it.

1. Create and migrate a fresh database (SQLite: a file next to the home one; PostgreSQL: a new database on
   the same server; or any ``target_url``).
2. Replay MEMBERS_V1 and MEETINGS_V1 from their first message through ``projections.apply_batch`` (one
   transaction per fetched batch, on ephemeral consumers that ack nothing), reporting progress, until
   neither has anything pending. The live service keeps reading and writing the old projection meanwhile.
3. Flip the generation pointer (``generation.switch``: one UPDATE); from then on the live consumers write
   the new projection.
4. Drain both streams once more: whatever the live consumers applied to the old projection between the
   replay's end and the switch is in the streams, and the inbox skips what was already applied.
"""
from __future__ import annotations

import gc
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import nats
import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import text
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session

from shared.db import make_engine, migrate
from shared.events import decode
from shared.subjects import MEETINGS_STREAM, MEMBERS_STREAM, StreamSpec
from reports import generation
from reports.projections import apply_batch, gc_paused

STREAMS = (MEMBERS_STREAM, MEETINGS_STREAM)
Progress = Callable[[str, int, int], None]  # stream, messages replayed, messages in the stream


@dataclass
class Outcome:
    generation: int
    database_url: str
    replayed: int
    skipped: int  # messages no event model decodes (the live consumers dead-letter them)


def target_url(home_url: str, number: int) -> str:
    url = make_url(home_url)
    if url.get_backend_name() == "sqlite":
        path = Path(url.database).resolve()  # absolute: the service and this command may run from other folders
        return url.set(database=str(path.with_name(f"{path.stem}.g{number}{path.suffix}"))).render_as_string(False)
    return url.set(database=f"{url.database}_g{number}").render_as_string(hide_password=False)


def fresh_database(home: Engine, url: str) -> None:
    """An empty database at ``url`` (dropped first if a failed rebuild left one), migrated."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        for suffix in ("", "-wal", "-shm"):
            Path(parsed.database + suffix).unlink(missing_ok=True)
    else:
        with home.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{parsed.database}"'))
            conn.execute(text(f'CREATE DATABASE "{parsed.database}" ENCODING \'UTF8\' TEMPLATE template0'))
            conn.execute(text(f'REVOKE ALL ON DATABASE "{parsed.database}" FROM PUBLIC'))  # as deploy/postgres/init.sql
    migrate(Path(__file__).resolve().parent.parent, url)


async def rebuild(home_url: str, nats_url: str, *, target: str | None = None, batch: int = 2048,
                  progress: Progress = lambda *_: None, before_switch: Callable[[], None] = lambda: None) -> Outcome:
    home = make_engine(home_url)
    try:
        number, live = generation.pointer(home)
        number += 1
        url = target or target_url(home_url, number)
        if _same_database(url, live or home_url):
            raise ValueError("the target is the projection in force / đích trùng với số liệu đang phục vụ")
        fresh_database(home, url)
        gc.freeze()  # what start-up built lives on: the collector's full passes need not walk it again
        engine = make_engine(url)
        nc = await nats.connect(nats_url)
        try:
            subs = [await _replay_consumer(nc, spec) for spec in STREAMS]
            counts = [0, 0]
            for spec, sub in zip(STREAMS, subs):
                done, skipped = await _drain(nc, spec.name, sub, engine, batch, progress)
                counts[0] += done
                counts[1] += skipped
            before_switch()
            generation.switch(home, number, url)
            for spec, sub in zip(STREAMS, subs):  # what arrived while switching
                done, skipped = await _drain(nc, spec.name, sub, engine, batch, progress)
                counts[0] += done
                counts[1] += skipped
            for sub in subs:
                await sub.unsubscribe()
        finally:
            await nc.close()
            engine.dispose()
        return Outcome(number, url, counts[0], counts[1])
    finally:
        home.dispose()


def apply_messages(engine: Engine, msgs) -> int:
    """Decode a fetched batch and apply it in one transaction, the garbage collector paused throughout;
    returns how many messages no event model decodes (skipped; the live consumers dead-letter them)."""
    events, skipped = [], 0
    with gc_paused():
        for msg in msgs:
            try:
                events.append(decode(msg.subject, msg.data))
            except Exception:  # noqa: BLE001  unknown subject or malformed: the live consumer dead-letters it
                skipped += 1
        with Session(engine) as session:
            apply_batch(session, events)
            session.commit()
    return skipped


def _same_database(a: str, b: str) -> bool:
    x, y = make_url(a), make_url(b)
    return (x.get_backend_name(), x.host, x.port, x.database) == (y.get_backend_name(), y.host, y.port, y.database)


async def _replay_consumer(nc, spec: StreamSpec):
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=300.0)
    return await nc.jetstream().pull_subscribe(spec.subjects[0], durable=None, stream=spec.name, config=config)


async def _drain(nc, stream: str, sub, engine: Engine, batch: int, progress: Progress) -> tuple[int, int]:
    """Fetch and apply until nothing is pending; returns (messages applied or skipped, skipped)."""
    total = (await nc.jetstream().stream_info(stream)).state.last_seq
    seen = skipped = 0
    while True:
        try:
            msgs = await sub.fetch(batch, timeout=0.5)
        except (TimeoutError, nats.errors.TimeoutError):
            return seen, skipped
        skipped += apply_messages(engine, msgs)
        seen += len(msgs)
        last = msgs[-1].metadata
        progress(stream, last.sequence.stream, max(total, last.sequence.stream + last.num_pending))
        if last.num_pending == 0:
            return seen, skipped
