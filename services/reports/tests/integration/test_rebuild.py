"""Rebuild from the log: a fresh projection replayed from the streams equals the live one, and the service
switches to it only once it is complete."""
import asyncio
import json
import random
import time
from datetime import date

import httpx
import nats
from sqlalchemy import text
from sqlalchemy.engine import make_url
from sqlmodel import Session

from shared.db import make_engine, migrate
from shared.streams import ensure_stream
from shared.subjects import stream_for
from reports import generation, report
from reports.bootstrap import SERVICE_DIR, create_app
from reports.periods import period_range
from reports.rebuild import rebuild
from reports.usecases import project

QUERIES = [("P", {"period": "2026-03"}), ("K", {"from": "2026-03-01", "to": "2026-03-27"}), ("K", {"period": "2026"}),
           ("P", {"period": "2026-Q1", "tree": "today"}), ("bloc", {"period": "2025-02"}), ("N1", {"period": "2025"}),
           ("P", {"period": "2025", "tree": "today"}), ("coquan", {"period": "2026-Q1"}), ("tinh", {"period": "2026"})]


def _mix(ev, province):
    """Every kind of event the reports read, re-ratings and a re-recorded meeting included, and an old duplicate."""
    meetings = [ev.recorded("m1", "phongtc", date(2026, 3, 12)), ev.rated("m1", "phongtc", date(2026, 3, 12), "kha"),
                ev.rated("m1", "phongtc", date(2026, 3, 12), "tot", revision=2), ev.recorded("m2", "vanphong", date(2026, 4, 9)),
                ev.recorded("m2", "vanphong", date(2026, 5, 9), revision=2), ev.rated("m3", "baotang", date(2026, 2, 2), "kem")]
    events = [*province.everything(ev), *province.restructure(ev), *ev.tree(), *meetings]
    return events + events[:5]  # a relay that published some twice (new messages, same event ids)


async def _publish(nats_url, events, offset=0):
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for spec in {stream_for(e.subject).name: stream_for(e.subject) for e in events}.values():
        await ensure_stream(js, spec)
    for i, event in enumerate(events, offset):  # Nats-Msg-Id per message: the duplicates above are new messages
        await js.publish(event.subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": f"{i}"})
    await nc.close()


def _figures(client, bearer, ev):
    out = {}
    for slug, params in QUERIES:
        response = client.get("/reports/api/figures", params={"org_id": str(ev.oid(slug)), **params},
                              headers=bearer("tinh" if slug in ("coquan", "tinh") else "P", "province"))
        assert response.status_code == 200, (slug, params, response.text)
        out[(slug, tuple(params.items()))] = response.json()
    return out


def test_a_rebuild_from_the_log_ends_with_exactly_the_live_figures_and_switches_only_when_complete(
        client, ev, bearer, province, nats_url, reports_settings):
    events = _mix(ev, province)
    home = client.app.state.runtime.engine
    shuffled = list(events)
    random.Random(3).shuffle(shuffled)
    for start in range(0, len(shuffled), 11):  # the live projection, fed in another order and other batches
        project(home, shuffled[start:start + 11])
    live = _figures(client, bearer, ev)
    assert live[("P", (("period", "2026-03"),))]["members"]["total"] == 5 + 1  # K's five and x1 of the restructure
    asyncio.run(_publish(nats_url, events))
    seen, during = [], []

    def progress(stream, seq, total):
        seen.append((stream, seq, total))

    def before_switch():  # the new projection is complete; the service still serves the old one
        during.append((generation.pointer(home), _figures(client, bearer, ev)))

    outcome = asyncio.run(rebuild(reports_settings.database_url, nats_url, batch=16, progress=progress,
                                  before_switch=before_switch))
    try:
        assert (outcome.generation, outcome.replayed, outcome.skipped) == (1, len(events), 0)
        assert during[0] == ((0, None), live)
        assert generation.pointer(home)[0] == 1 and outcome.database_url != reports_settings.database_url
        assert {s for s, _, _ in seen} == {"MEMBERS_V1", "MEETINGS_V1"} and len(seen) > 4  # batches of 16
        with home.begin() as conn:  # the old projection is no longer read: emptying it changes nothing
            for table in ("period_stat", "meeting_fact", "member_span", "member_change", "fee_line", "grade_fact"):
                conn.execute(text(f"DELETE FROM {table}"))
        assert _figures(client, bearer, ev) == live
    finally:
        _drop(home, outcome.database_url)


def _drop(home, url):
    for key in [k for k in generation._engines if make_url(k).database == make_url(url).database]:
        generation._engines.pop(key).dispose()
    if make_url(url).get_backend_name() == "postgresql":
        with home.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


async def test_events_published_while_the_live_service_runs_and_the_rebuild_replays_all_end_up_in_the_new_projection(
        reports_settings, ev, province, serve, nats_url, bearer, tmp_path):
    events = _mix(ev, province)
    first, second = events[:len(events) // 2], events[len(events) // 2:]
    app = create_app(reports_settings.model_copy(update={"start_consumers": True}))
    async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        await asyncio.wait_for(app.state.runtime.nats_ready.wait(), 20)
        await _publish(nats_url, first)
        later: list = []

        def progress(stream, seq, total):  # while replaying: more events arrive, the live consumers take them
            if not later:
                later.append(asyncio.get_running_loop().create_task(_publish(nats_url, second, offset=len(first))))

        outcome = await rebuild(reports_settings.database_url, nats_url, batch=8, progress=progress)
        await later[0]
        try:
            for (slug, params), want in zip(QUERIES, _reference_figures(tmp_path, ev, events)):
                query = {"org_id": str(ev.oid(slug)), **params}
                headers = bearer("tinh" if slug in ("coquan", "tinh") else "P", "province")
                await _until(lambda: http.get("/reports/api/figures", params=query, headers=headers), want)
            assert generation.pointer(app.state.runtime.engine)[0] == 1
        finally:
            _drop(app.state.runtime.engine, outcome.database_url)


def _reference_figures(tmp_path, ev, events) -> list[dict]:
    """The QUERIES answered from a projection fed every event in one batch, as JSON."""
    reference = make_engine(f"sqlite:///{tmp_path / 'reference.db'}")
    migrate(SERVICE_DIR, str(reference.url))
    project(reference, events)
    out = []
    for slug, params in QUERIES:
        if "period" in params:
            label, (start, end) = params["period"], period_range(params["period"])
        else:
            start, end = date.fromisoformat(params["from"]), date.fromisoformat(params["to"])
            label = f"{start}..{end}"
        with Session(reference) as session:
            figures = report.full_figures(session, str(ev.oid(slug)), label, start, end, params.get("tree", "as_was"),
                                          named_period="period" in params)
        out.append(json.loads(json.dumps(figures, default=str)))
    reference.dispose()
    return out


def _diff(got, want, path=""):
    if isinstance(got, dict) and isinstance(want, dict):
        return [d for k in set(got) | set(want) for d in _diff(got.get(k), want.get(k), f"{path}.{k}")]
    return [] if got == want else [(path, got, want)]


async def _until(request, want: dict, timeout: float = 20.0) -> None:
    deadline = time.monotonic() + timeout
    while True:
        response = await request()
        if response.status_code == 200 and response.json() == want:
            return
        assert time.monotonic() < deadline, _diff(response.json(), want)
        await asyncio.sleep(0.05)  # poll interval


def test_the_rebuild_command_shows_its_progress_and_says_which_generation_serves(
        client, ev, province, nats_url, reports_settings):
    import os
    import subprocess
    import sys

    from deploy.local.procs import PYTHONPATH, ROOT
    home = client.app.state.runtime.engine
    events = province.everything(ev)
    project(home, events)
    asyncio.run(_publish(nats_url, events))
    env = {**os.environ, "PYTHONPATH": PYTHONPATH, "REPORTS_DATABASE_URL": reports_settings.database_url,
           "NATS_URL": nats_url}
    done = subprocess.run([sys.executable, "-m", "reports.cli", "rebuild", "--batch", "10"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    try:
        assert done.returncode == 0, done.stdout + done.stderr
        lines = done.stdout.splitlines()
        assert any(line.startswith("MEMBERS_V1: ") and " %)" in line for line in lines), done.stdout
        assert "MEETINGS_V1: 10/10 (100 %)" in done.stdout  # 4 meetings, 6 closed obligations
        assert f"{len(events)} tin đã phát lại / messages replayed" in lines[-1]
        assert lines[-1].startswith("✓ Thế hệ 1 đang phục vụ / generation 1 now serves")
        assert generation.pointer(home)[0] == 1
    finally:
        url = generation.pointer(home)[1]
        if url:
            _drop(home, generation.with_home_password(url, home))
