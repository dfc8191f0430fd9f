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

Speed (issue 5 item 6, ``python -m bench``'s replay phase): during step 2 each batch is decoded and applied in
a worker process (``Worker``) while the next one is fetched (``pipeline``), the batch's objects are freed before
the garbage collector resumes, and the fresh SQLite target is written with ``synchronous=OFF`` until ``seal``
makes it durable, before the switch (``replay_engine`` says why that is safe). Step 4 applies in a thread of
this process, on an ordinary engine: the projection is live by then.
"""
from __future__ import annotations

import asyncio
import gc
from collections.abc import Awaitable, Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from multiprocessing import get_context
from pathlib import Path

import nats
import nats.errors
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy
from sqlalchemy import event, text
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
        applier: Worker | InThread = Worker(url)
        nc = await nats.connect(nats_url)
        try:
            subs = [await _replay_consumer(nc, spec) for spec in STREAMS]
            counts = [0, 0]
            for spec, sub in zip(STREAMS, subs):
                done, skipped = await _drain(nc, spec.name, sub, applier, batch, progress)
                counts[0] += done
                counts[1] += skipped
            applier.close()
            applier = InThread(seal(url))  # durable before anyone reads it; the drains below are live writes
            before_switch()
            generation.switch(home, number, url)
            for spec, sub in zip(STREAMS, subs):  # what arrived while switching
                done, skipped = await _drain(nc, spec.name, sub, applier, batch, progress)
                counts[0] += done
                counts[1] += skipped
            for sub in subs:
                await sub.unsubscribe()
        finally:
            await nc.close()
            applier.close()
        return Outcome(number, url, counts[0], counts[1])
    finally:
        home.dispose()


def replay_engine(url: str) -> Engine:
    """The engine the replay writes the fresh target with. On SQLite: ``synchronous=OFF`` (no fsync per commit,
    measured ~20 % of a batch) and a 64 MB page cache. Safe because nothing reads this database before
    ``seal``: if the machine crashes mid-replay the file may be damaged, but the service still serves the old
    projection (the pointer is untouched, in the home database, fully synced) and the next rebuild deletes the
    target and starts over (``fresh_database``). ``seal`` then makes the whole file durable before the switch.
    Other databases: ``make_engine`` unchanged."""
    engine = make_engine(url)
    if engine.dialect.name == "sqlite":
        @event.listens_for(engine, "connect")
        def _unsynced(dbapi_conn, _record) -> None:  # runs after make_engine's pragmas (synchronous=NORMAL)
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA synchronous=OFF")
            cur.execute("PRAGMA cache_size=-65536")
            cur.close()
    return engine


def seal(url: str) -> Engine:
    """Make everything the replay wrote durable, then return an ordinary engine for the live writes that follow.
    Call it once the replay's unsynced connections are closed. SQLite: a full checkpoint with
    ``synchronous=FULL`` copies the WAL into the database file and fsyncs that file (an fsync flushes all of
    the file's pages, the ones earlier unsynced checkpoints wrote included) and truncates the WAL."""
    sealed = make_engine(url)
    if sealed.dialect.name == "sqlite":
        with sealed.connect() as conn:
            conn.exec_driver_sql("PRAGMA synchronous=FULL")
            busy, _, _ = conn.exec_driver_sql("PRAGMA wal_checkpoint(TRUNCATE)").one()
            conn.exec_driver_sql("PRAGMA synchronous=NORMAL")
        if busy:  # nobody else has this file open; if someone did, the switch must not go ahead unsynced
            raise RuntimeError(f"could not checkpoint the rebuilt projection {url}")
    return sealed


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
        del events  # freed while the collector is paused: no collection then walks the batch's objects
    return skipped


def _same_database(a: str, b: str) -> bool:
    x, y = make_url(a), make_url(b)
    return (x.get_backend_name(), x.host, x.port, x.database) == (y.get_backend_name(), y.host, y.port, y.database)


async def _replay_consumer(nc, spec: StreamSpec):
    config = ConsumerConfig(ack_policy=AckPolicy.NONE, deliver_policy=DeliverPolicy.ALL, inactive_threshold=300.0)
    return await nc.jetstream().pull_subscribe(spec.subjects[0], durable=None, stream=spec.name, config=config)


Batch = Sequence  # a fetched batch of nats messages


class InThread:
    """``apply_messages`` on ``engine`` in a worker thread of this process."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    async def __call__(self, msgs: Batch) -> int:
        return await asyncio.to_thread(apply_messages, self.engine, msgs)

    def close(self) -> None:
        self.engine.dispose()


class Worker:
    """``apply_messages`` in one spawned worker process writing ``url`` through ``replay_engine``: decoding and
    applying a batch (Python, under its own interpreter lock) then truly runs beside the next fetch, which
    is Python too (nats-py parses every message); a worker thread only overlapped SQLite's own time. The
    worker gets each batch as (subject, data) pairs; one batch at a time (``pipeline``), so in order. It
    starts (imports, engine) in the constructor, before any message is fetched."""

    def __init__(self, url: str) -> None:
        self.pool: ProcessPoolExecutor | None = ProcessPoolExecutor(1, mp_context=get_context("spawn"), initializer=_worker_start,
                                        initargs=(url,))
        try:
            self.pool.submit(_worker_ready).result()
        except BaseException:
            self.pool.shutdown(cancel_futures=True)
            raise

    async def __call__(self, msgs: Batch) -> int:
        pairs = [(m.subject, m.data) for m in msgs]
        return await asyncio.get_running_loop().run_in_executor(self.pool, _worker_apply, pairs)

    def close(self) -> None:
        pool, self.pool = self.pool, None
        if pool is None:
            return
        try:
            pool.submit(_worker_stop).result()  # its connections closed: no lock left on the file
        finally:
            pool.shutdown()


@dataclass(frozen=True)
class _Message:
    subject: str
    data: bytes


_worker: dict[str, Engine] = {}


def _worker_start(url: str) -> None:
    _worker["engine"] = replay_engine(url)
    gc.freeze()


def _worker_ready() -> bool:
    return "engine" in _worker


def _worker_apply(pairs: list[tuple[str, bytes]]) -> int:
    return apply_messages(_worker["engine"], [_Message(subject, data) for subject, data in pairs])


def _worker_stop() -> None:
    _worker.pop("engine").dispose()


async def pipeline(fetch: Callable[[], Awaitable[Batch | None]], apply: Callable[[Batch], Awaitable[int]],
                   applied: Callable[[Batch, int], Awaitable[None]]) -> None:
    """Fetch batch n+1 while batch n is applied (``apply``: a ``Worker`` or ``InThread``); batches are applied
    one at a time, in order, and ``applied(batch, skipped)`` runs only once its batch is committed. ``fetch``
    returns None when there is nothing more; an apply that raises stops the pipeline with its exception
    (after the fetch in flight, whose batch is then not applied)."""
    running: asyncio.Future | None = None
    running_batch: Batch | None = None
    try:
        while True:
            msgs = await fetch()
            finished = None
            if running is not None:
                finished, running = (running_batch, await running), None
            if msgs:  # the next batch goes first: ``applied`` (acks, progress) runs while it is applied
                running, running_batch = asyncio.ensure_future(apply(msgs)), msgs
            if finished is not None:
                await applied(*finished)
            if not msgs:
                return
    finally:
        if running is not None:  # fetch raised, or we were cancelled: let the apply in flight finish
            await asyncio.shield(running)


async def _drain(nc, stream: str, sub, apply: Callable[[Batch], Awaitable[int]], batch: int,
                 progress: Progress) -> tuple[int, int]:
    """Fetch and apply until nothing is pending; returns (messages applied or skipped, skipped)."""
    total = (await nc.jetstream().stream_info(stream)).state.last_seq
    counts = [0, 0]
    ended = False

    async def fetch():
        nonlocal ended
        if ended:  # the last batch said nothing was pending
            return None
        try:
            msgs = await sub.fetch(batch, timeout=0.5)
        except (TimeoutError, nats.errors.TimeoutError):
            return None
        ended = msgs[-1].metadata.num_pending == 0
        return msgs

    async def applied(msgs, skipped: int) -> None:
        counts[0] += len(msgs)
        counts[1] += skipped
        last = msgs[-1].metadata
        progress(stream, last.sequence.stream, max(total, last.sequence.stream + last.num_pending))

    await pipeline(fetch, apply, applied)
    return counts[0], counts[1]
