"""Replay: the raw nats-py pull-and-ack rate of the streams, then the same
streams replayed into an empty reports projection (fresh SQLite, migrated),
FETCH per fetch for both, one transaction per batch, measured in the same run."""
from __future__ import annotations

import gc
import sys
import time
import uuid
from collections.abc import Callable
from pathlib import Path

from nats.aio.client import Client
from nats.aio.msg import Msg
from nats.js.api import AckPolicy, ConsumerConfig, DeliverPolicy

from shared.subjects import MEETING_RECORDED, MEETINGS_STREAM, MEMBERS_STREAM, StreamSpec

ROOT = Path(__file__).resolve().parents[1]
REPORTS_DIR = ROOT / "services" / "reports"
if str(REPORTS_DIR) not in sys.path:  # `python -m bench` from the project root
    sys.path.append(str(REPORTS_DIR))

FETCH = 2048  # the reports consumers' batch_size; raw, decode and replay all use it (a fair ratio)
STREAMS = (MEMBERS_STREAM, MEETINGS_STREAM)
BatchHandler = Callable[[list[Msg]], None]


async def drain(nc: Client, stream: StreamSpec, handle: BatchHandler | None = None) -> tuple[int, float]:
    """Pull every message of ``stream`` with a fresh durable consumer, FETCH a fetch, acking each;
    returns (messages, seconds). ``handle`` (sync) sees each batch before it is acked."""
    js = nc.jetstream()
    total = (await js.stream_info(stream.name)).state.messages
    durable = f"bench-{uuid.uuid4().hex[:10]}"
    config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                            max_ack_pending=FETCH * 8, ack_wait=60.0)
    sub = await js.pull_subscribe(stream.subjects[0], durable=durable, stream=stream.name, config=config)
    try:
        seen, started = 0, time.perf_counter()
        while seen < total:
            msgs = await sub.fetch(FETCH, timeout=5.0)
            if handle is not None:
                handle(msgs)
            for msg in msgs:
                await msg.ack()
            seen += len(msgs)
        await nc.flush()
        return seen, time.perf_counter() - started
    finally:
        await sub.unsubscribe()
        await js.delete_consumer(stream.name, durable)


def projector(database_url: str) -> tuple[BatchHandler, Callable[[], None]]:
    """A batch handler applying events to an empty, freshly migrated reports projection; and its closer."""
    from reports.rebuild import apply_messages
    from shared.db import make_engine, migrate

    migrate(REPORTS_DIR, database_url)
    engine = make_engine(database_url)
    gc.freeze()  # as the rebuild does once its target is ready

    def handle(msgs: list[Msg]) -> None:
        apply_messages(engine, msgs)  # the rebuild's own step: decode, apply, commit, the collector paused

    return handle, engine.dispose


def _decode_only(msgs: list[Msg]) -> None:
    """Where the replay's time goes: parsing the events alone."""
    from shared.events import decode

    for m in msgs:
        decode(m.subject, m.data)


async def measure(nc: Client, database_url: str) -> dict:
    """Raw rate, decode-only rate, then replay rate, per stream and overall; ratio = replay / raw."""
    raw = {s.name: await drain(nc, s) for s in STREAMS}
    decoded = {s.name: await drain(nc, s, _decode_only) for s in STREAMS}
    handle, close = projector(database_url)
    try:
        replay = {s.name: await drain(nc, s, handle) for s in STREAMS}
    finally:
        close()
    raw_rate, replay_rate = _rate(raw.values()), _rate(replay.values())
    return {"fetch": FETCH, "raw": _figures(raw), "decode_only": _figures(decoded), "projection": _figures(replay),
            "ratio": round(replay_rate / raw_rate, 3) if raw_rate else 0.0}


def _rate(runs) -> float:
    runs = list(runs)
    seconds = sum(s for _, s in runs)
    return sum(n for n, _ in runs) / seconds if seconds else 0.0


def _figures(runs: dict[str, tuple[int, float]]) -> dict:
    per_stream = {name: {"events": n, "seconds": round(s, 3), "events_per_s": round(n / s, 1) if s else 0.0}
                  for name, (n, s) in runs.items()}
    return {"events": sum(n for n, _ in runs.values()), "seconds": round(sum(s for _, s in runs.values()), 3),
            "events_per_s": round(_rate(runs.values()), 1), "streams": per_stream}


async def recorded_meetings(nc: Client) -> int:
    """MeetingRecorded messages in the stream: every meeting the projection must count (revision 1 each)."""
    info = await nc.jetstream().stream_info(MEETINGS_STREAM.name, subjects_filter=MEETING_RECORDED)
    return (info.state.subjects or {}).get(MEETING_RECORDED, 0)


def projected_figures(database_url: str, org_id: str, period: str) -> dict:
    """The replayed projection's figures of one org (to check the replay counted everything)."""
    from sqlmodel import Session

    from reports import queries
    from shared.db import make_engine

    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            return queries.figures(session, org_id, period)
    finally:
        engine.dispose()
