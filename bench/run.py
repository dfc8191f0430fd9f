"""One bench run: stack up, tree, latency steps, services down, replay, figures."""
from __future__ import annotations

import asyncio
import os
import platform
import random
from dataclasses import asdict, dataclass
from datetime import date, datetime, timezone
from pathlib import Path

import httpx
import nats

from bench import national, replay, rerate, synthetic
from bench.latency import meeting_payload, run_step, sustained
from bench.sse import FiguresWatch
from bench.stack import Stack, start_stack
from bench.tree import BenchTree, build_tree
from deploy.local.demo import FALLBACK_CHECKLIST, checklist_keys

TARGET_RATIO = 0.5


@dataclass(frozen=True)
class Plan:
    mode: str
    cells: int
    members_per_cell: int
    rates: tuple[float, ...]
    step_s: float
    replay_events: int
    drain_timeout_s: float = 15.0
    rerate_meetings: int = 22000  # bench/rerate.py: a province-year re-rated after a rubric change
    national_scale: float = national.DEFAULT_SCALE  # bench/national.py: figures on a national projection
    national_samples: int = 30  # requests per level × period kind


SMOKE = Plan("smoke", cells=2, members_per_cell=15, rates=(5.0,), step_s=2.0, replay_events=2000, rerate_meetings=600,
             national_scale=0.0005, national_samples=2)
FULL = Plan("full", cells=20, members_per_cell=15, rates=(5.0, 10.0, 20.0, 40.0, 60.0, 80.0, 120.0), step_s=6.0,
            replay_events=20000)


def run(plan: Plan, workdir: Path) -> dict:
    started_at = datetime.now(timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    stack = start_stack(workdir)
    try:
        result = asyncio.run(_phases(stack, plan))
    finally:
        stack.stop()
    result["rerate"] = rerate.run(plan.rerate_meetings, workdir)  # in-process, on its own fresh database
    result["national"] = national.run(plan.national_scale, workdir, plan.national_samples)  # idem
    return {"started_at": started_at, "mode": plan.mode, "plan": asdict(plan),
            "machine": {"cpus": os.cpu_count(), "python": platform.python_version(), "platform": platform.platform()},
            **result}


def _client(stack: Stack, service: str) -> httpx.AsyncClient:
    return httpx.AsyncClient(base_url=stack.url(service), headers={"Authorization": "Bearer " + stack.token()},
                             timeout=30.0, trust_env=False, limits=httpx.Limits(max_connections=200))


async def _phases(stack: Stack, plan: Plan) -> dict:
    today = date.today()
    async with _client(stack, "members") as members, _client(stack, "meetings") as meetings, \
            _client(stack, "reports") as reports:
        tree = await build_tree(members, meetings, stack.root_id, plan.cells, plan.members_per_cell, today)
        latency = await _latency(meetings, reports, tree, plan, today)
    stack.stop_services()  # the replay measures the broker and the projection alone
    setup = {"cells": plan.cells, "members_per_cell": plan.members_per_cell, "members": tree.member_count,
             "setup_s": round(tree.setup_s, 2), "services_ready_s": round(stack.ready_s, 2)}
    return {"setup": setup, "latency": latency, "replay": await _replay(stack, tree, plan, today)}


async def _latency(meetings: httpx.AsyncClient, reports: httpx.AsyncClient, tree: BenchTree, plan: Plan,
                   today: date) -> dict:
    rubrics = await meetings.get("/meetings/api/rubrics")
    boxes = (checklist_keys(rubrics.json()) if rubrics.status_code == 200 else ()) or FALLBACK_CHECKLIST
    watch = FiguresWatch(tree.cells, f"{today.year}-{today.month:02d}")
    reader = asyncio.create_task(watch.run(reports, tree.root_id))
    try:
        await _connected(watch, reader)
        rng, counted, steps, sent = random.Random(7), {}, [], 0
        for rate in plan.rates:
            cells = [tree.cells[(sent + j) % len(tree.cells)] for j in range(max(1, round(rate * plan.step_s)))]
            sent += len(cells)
            payloads = [meeting_payload(c, today, tree.rosters[c], boxes, rng) for c in cells]
            step = await run_step(meetings, watch, payloads, rate, counted, plan.drain_timeout_s)
            steps.append({**step, "sustained": sustained(step)})
            if not steps[-1]["sustained"]:
                break  # past the limit: higher steps would only measure the pile-up
    finally:
        reader.cancel()
    best = max((s["rate"] for s in steps if s["sustained"]), default=None)
    return {"steps": steps, "max_sustained_rate": best, "sse_messages": watch.messages}


async def _connected(watch: FiguresWatch, reader: asyncio.Task, timeout: float = 15.0) -> None:
    waiter = asyncio.create_task(watch.connected.wait())
    done, _ = await asyncio.wait({reader, waiter}, timeout=timeout, return_when=asyncio.FIRST_COMPLETED)
    waiter.cancel()
    if reader in done:
        reader.result()  # raises why the stream ended
        raise RuntimeError("the reports stream closed at once")
    if not done:
        raise TimeoutError("the reports stream did not connect")


async def _replay(stack: Stack, tree: BenchTree, plan: Plan, today: date) -> dict:
    database_url = f"sqlite:///{stack.workdir / 'reports-replay.db'}"
    first_day = max(tree.effective_from, date(today.year, 1, 1))
    nc = await nats.connect(stack.nats.url)
    try:
        published = await synthetic.top_up(nc, plan.replay_events, tree.rosters, first_day, today)
        measured = await replay.measure(nc, database_url)
        recorded = await replay.recorded_meetings(nc)
    finally:
        await nc.close()
    figures = replay.projected_figures(database_url, tree.root_id, str(today.year))
    expected = recorded  # a request the client gave up on may still have been recorded
    return {**measured, "synthetic_published": published, "target_ratio": TARGET_RATIO,
            "meets_target": measured["ratio"] >= TARGET_RATIO,
            "root_meetings_held": figures["meetings_held"], "expected_meetings_held": expected,
            "consistent": figures["meetings_held"] == expected}
