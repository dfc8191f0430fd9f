"""Replay: the raw nats-py pull-and-ack rate of the streams, then the same
streams replayed into an empty reports projection (fresh SQLite, migrated),
FETCH per fetch for both, one transaction per batch, measured in the same run."""
from __future__ import annotations

import gc
import sys
import time
import uuid
from collections.abc import Awaitable, Callable
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
Applier = Callable[[list[Msg]], Awaitable[int]]  # a batch applied and committed; returns the messages skipped


async def drain(nc: Client, stream: StreamSpec, handle: BatchHandler | None = None,
                apply: Applier | None = None) -> tuple[int, float]:
    """Pull every message of ``stream`` with a fresh durable consumer, FETCH a fetch, acking each;
    returns (messages, seconds). ``handle`` (sync) sees each batch before it is acked. ``apply`` instead:
    the rebuild's own loop (``reports.rebuild.pipeline``: the next batch fetched while this one is applied in
    a worker thread), each message acked once its batch is committed."""
    js = nc.jetstream()
    total = (await js.stream_info(stream.name)).state.messages
    durable = f"bench-{uuid.uuid4().hex[:10]}"
    config = ConsumerConfig(durable_name=durable, ack_policy=AckPolicy.EXPLICIT, deliver_policy=DeliverPolicy.ALL,
                            max_ack_pending=FETCH * 8, ack_wait=60.0)
    sub = await js.pull_subscribe(stream.subjects[0], durable=durable, stream=stream.name, config=config)
    try:
        seen, started = 0, time.perf_counter()
        if apply is not None:
            acked = await _pipelined(sub, total, apply)
            await nc.flush()
            return acked, time.perf_counter() - started
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


async def _pipelined(sub, total: int, apply: Applier) -> int:
    from reports.rebuild import pipeline

    fetched = acked = 0

    async def fetch() -> list[Msg] | None:
        nonlocal fetched
        if fetched >= total:
            return None
        msgs = await sub.fetch(FETCH, timeout=5.0)
        fetched += len(msgs)
        return msgs

    async def applied(msgs: list[Msg], _skipped: int) -> None:
        nonlocal acked
        for msg in msgs:
            await msg.ack()
        acked += len(msgs)

    await pipeline(fetch, apply, applied)
    return acked


def projector(database_url: str, in_thread: bool = False) -> tuple[Applier, Callable[[], None]]:
    """The rebuild's batch step onto an empty, freshly migrated reports projection, as the rebuild runs it
    (``reports.rebuild.Worker``: decode, apply, commit in a worker process, the target unsynced until sealed;
    ``in_thread``: in a thread of this process instead); and its closer (which seals, as the rebuild does)."""
    from reports.rebuild import InThread, Worker, replay_engine, seal
    from shared.db import migrate

    migrate(REPORTS_DIR, database_url)
    gc.freeze()  # as the rebuild does once its target is ready
    applier = InThread(replay_engine(database_url)) if in_thread else Worker(database_url)

    def close() -> None:
        applier.close()
        seal(database_url).dispose()

    return applier, close


def _decode_only(msgs: list[Msg]) -> None:
    """Where the replay's time goes: parsing the events alone."""
    from shared.events import decode

    for m in msgs:
        decode(m.subject, m.data)


async def measure(nc: Client, database_url: str) -> dict:
    """Raw rate, decode-only rate, then replay rate, per stream and overall; ratio = replay / raw."""
    raw = {s.name: await drain(nc, s) for s in STREAMS}
    decoded = {s.name: await drain(nc, s, _decode_only) for s in STREAMS}
    apply, close = projector(database_url)
    try:
        replay = {s.name: await drain(nc, s, apply=apply) for s in STREAMS}
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


async def _alone(args) -> dict:
    """The replay phase alone: the stack, the bench tree, services stopped, top-up, then ``measure``
    ``--repeat`` times (each on a fresh projection), optionally under cProfile."""
    import cProfile
    import shutil
    import tempfile
    from datetime import date

    import httpx
    import nats

    from bench import synthetic
    from bench.stack import start_stack
    from bench.tree import build_tree

    workdir = Path(tempfile.mkdtemp(prefix="chibo-replay-"))
    stack = start_stack(workdir)
    try:
        today = date.today()
        headers = {"Authorization": "Bearer " + stack.token()}
        async with httpx.AsyncClient(base_url=stack.url("members"), headers=headers, timeout=30.0,
                                     trust_env=False) as members, \
                httpx.AsyncClient(base_url=stack.url("meetings"), headers=headers, timeout=30.0,
                                  trust_env=False) as meetings:
            tree = await build_tree(members, meetings, stack.root_id, args.cells, 15, today)
        stack.stop_services()
        nc = await nats.connect(stack.nats.url)
        try:
            await synthetic.top_up(nc, args.events, tree.rosters, max(tree.effective_from, date(today.year, 1, 1)),
                                   today)
            if args.dump:
                await _dump(nc, Path(args.dump))
            runs = []
            for n in range(args.repeat):
                profiler = cProfile.Profile() if args.profile else None
                if profiler:
                    profiler.enable()
                runs.append(await measure(nc, f"sqlite:///{workdir / f'replay-{n}.db'}"))
                if profiler:
                    profiler.disable()
                    profiler.dump_stats(f"{args.profile}.{n}")
            return {"runs": runs}
        finally:
            await nc.close()
    finally:
        stack.stop()
        shutil.rmtree(workdir, ignore_errors=True)


async def _dump(nc: Client, path: Path) -> None:
    """Every message of both streams as (subject, data) pairs, pickled (to time the apply offline)."""
    import pickle

    pairs: list[tuple[str, bytes]] = []
    for stream in STREAMS:
        await drain(nc, stream, lambda msgs: pairs.extend((m.subject, m.data) for m in msgs))
    path.write_bytes(pickle.dumps(pairs))


def main(argv: list[str] | None = None) -> int:
    import argparse
    import asyncio
    import json

    parser = argparse.ArgumentParser(prog="python -m bench.replay", description=_alone.__doc__)
    parser.add_argument("--events", type=int, default=20000, help="messages in MEETINGS_V1 (default 20000)")
    parser.add_argument("--cells", type=int, default=20, help="bench cells of 15 members (default 20)")
    parser.add_argument("--repeat", type=int, default=1, help="measurements, each on a fresh projection")
    parser.add_argument("--profile", help="cProfile each measurement to <PROFILE>.<n>")
    parser.add_argument("--dump", help="pickle both streams' (subject, data) to DUMP first")
    args = parser.parse_args(argv)
    print(json.dumps(asyncio.run(_alone(args)), indent=1))
    return 0


if __name__ == "__main__":
    sys.exit(main())
