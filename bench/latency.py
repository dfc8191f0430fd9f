"""Open-loop load: record meetings at a fixed rate through the meetings API and
measure, per meeting, the time from its HTTP 201 to the first ``figures``
message on the reports stream that shows it (held) and that shows it rated.

Meetings go round-robin over the bench cells, so at most a few are in flight
per cell. The k-th meeting answered for a cell counts as visible when the
cell's held count (this period) first reaches k; an update that arrived before
the 201 reached the client counts as 0 ms (meetings answers after a read-back,
while its relay is already publishing); ``visible_from_send_ms`` measures from
the moment the request was sent instead.
"""
from __future__ import annotations

import asyncio
import random
import time
from collections import Counter
from dataclasses import dataclass
from datetime import date

import httpx

from bench.sse import FiguresWatch
from bench.stats import summary

HELD, RATED = 1, 2
SUSTAINED_P95_S = 1.0


@dataclass
class Sample:
    cell: str
    sent: float
    answered: float
    status: str  # the HTTP status, or the client error's name (ReadTimeout, PoolTimeout …)


def meeting_payload(cell: str, held_on: date, roster: list[dict], boxes: tuple[str, ...], rng: random.Random) -> dict:
    """A plausible regular meeting: most members present, some speak, most checklist boxes ticked."""
    attendance = []
    for member in roster:
        present = rng.random() < 0.92
        attendance.append({"member_id": member["member_id"], "status": "present" if present else "absent_excused",
                           "spoke": present and rng.random() < 0.5,
                           "absence_reason": None if present else "Đi công tác"})
    return {"organization_id": cell, "held_on": held_on.isoformat(), "kind": "regular",
            "duration_minutes": rng.choice((90, 105, 120)), "attendance": attendance,
            "checklist": {key: rng.random() < 0.85 for key in boxes}}


async def _record(meetings: httpx.AsyncClient, cell: str, payload: dict) -> Sample:
    sent = time.monotonic()
    try:
        status = str((await meetings.post("/meetings/api/meetings", json=payload)).status_code)
    except httpx.HTTPError as exc:
        status = type(exc).__name__
    return Sample(cell, sent, time.monotonic(), status)


async def _send_at_rate(meetings: httpx.AsyncClient, payloads: list[dict], rate: float, started: float) -> list[Sample]:
    """Open loop: the i-th request leaves at ``started + i / rate`` whether or not earlier ones were answered."""
    tasks = []
    for i, payload in enumerate(payloads):
        delay = started + i / rate - time.monotonic()
        if delay > 0:
            await asyncio.sleep(delay)
        tasks.append(asyncio.create_task(_record(meetings, payload["organization_id"], payload)))
    return list(await asyncio.gather(*tasks))


async def run_step(meetings: httpx.AsyncClient, watch: FiguresWatch, payloads: list[dict], rate: float,
                   counted: dict[str, int], drain_timeout: float) -> dict:
    """Send ``payloads`` at ``rate``/s, wait for them to show, return the step's figures.
    ``counted`` (meetings already shown per cell) is updated."""
    started = time.monotonic()
    samples = await _send_at_rate(meetings, payloads, rate, started)
    last_answer = max(s.answered for s in samples)
    ok = [s for s in samples if s.status == "201"]
    expected = dict(counted)
    for s in ok:
        expected[s.cell] = expected.get(s.cell, 0) + 1
    backlog = sum(max(0, n - watch.held(c)) for c, n in expected.items())
    all_held = await watch.wait_for(expected, HELD, drain_timeout)
    drain_s = time.monotonic() - last_answer
    all_rated = await watch.wait_for(expected, RATED, drain_timeout)
    latencies = _latencies(watch, ok, counted)
    shown_before_201 = sum(v == 0.0 for v in latencies["visible_ms"])
    counted.update({c: max(n, watch.held(c)) for c, n in expected.items()})  # timed-out requests may have landed
    elapsed = last_answer - started
    return {"rate": rate, "meetings": len(samples), "errors": len(samples) - len(ok),
            "statuses": dict(Counter(s.status for s in samples)),
            "achieved_rate": round(len(ok) / elapsed, 2) if elapsed > 0 else 0.0,
            "backlog_at_end": backlog, "drain_s": round(drain_s, 3), "all_visible": all_held, "all_rated": all_rated,
            "request_ms": summary([(s.answered - s.sent) * 1000 for s in samples]),
            "shown_before_201": shown_before_201, **{name: summary(v) for name, v in latencies.items()}}


def _latencies(watch: FiguresWatch, ok: list[Sample], before: dict[str, int]) -> dict[str, list[float]]:
    """Per meeting: 201 → shown, 201 → shown rated, and request sent → shown (ms)."""
    out: dict[str, list[float]] = {"visible_ms": [], "rated_ms": [], "visible_from_send_ms": []}
    position = dict(before)
    for s in sorted(ok, key=lambda s: s.answered):
        position[s.cell] = position.get(s.cell, 0) + 1
        held = watch.first_arrival(s.cell, position[s.cell], HELD)
        rated = watch.first_arrival(s.cell, position[s.cell], RATED)
        if held is not None:
            out["visible_ms"].append(max(0.0, held - s.answered) * 1000)
            out["visible_from_send_ms"].append(max(0.0, held - s.sent) * 1000)
        if rated is not None:
            out["rated_ms"].append(max(0.0, rated - s.answered) * 1000)
    return out


def sustained(step: dict) -> bool:
    """Kept up: no errors, ≥90 % of the target rate, everything shown, p95 under 1 s, drained within 1 s."""
    p95 = step["visible_ms"]["p95"]
    return (step["errors"] == 0 and step["achieved_rate"] >= 0.9 * step["rate"] and step["all_visible"]
            and p95 is not None and p95 < SUSTAINED_P95_S * 1000 and step["drain_s"] < SUSTAINED_P95_S)
