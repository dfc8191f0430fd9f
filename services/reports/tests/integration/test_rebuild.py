"""Rebuild from the log: a fresh projection replayed from the streams equals the live one, and the service
switches to it only once it is complete."""
import asyncio
import random

import nats
from sqlalchemy import text
from sqlalchemy.engine import make_url

from shared.streams import ensure_stream
from shared.subjects import stream_for
from reports import generation
from reports.rebuild import rebuild
from reports.usecases import project

QUERIES = [("P", {"period": "2026-03"}), ("K", {"from": "2026-03-01", "to": "2026-03-27"}), ("K", {"period": "2026"}),
           ("P", {"period": "2026-Q1", "tree": "today"}), ("bloc", {"period": "2025-02"}), ("N1", {"period": "2025"}),
           ("P", {"period": "2025", "tree": "today"}), ("coquan", {"period": "2026-Q1"}), ("tinh", {"period": "2026"})]


def _mix(ev, province):
    """Every kind of event the reports read, re-ratings and a re-recorded meeting included, and an old duplicate."""
    from datetime import date
    meetings = [ev.recorded("m1", "phongtc", date(2026, 3, 12)), ev.rated("m1", "phongtc", date(2026, 3, 12), "kha"),
                ev.rated("m1", "phongtc", date(2026, 3, 12), "tot", revision=2), ev.recorded("m2", "vanphong", date(2026, 4, 9)),
                ev.recorded("m2", "vanphong", date(2026, 5, 9), revision=2), ev.rated("m3", "baotang", date(2026, 2, 2), "kem")]
    events = [*province.everything(ev), *province.restructure(ev), *ev.tree(), *meetings]
    return events + events[:5]  # a relay that published some twice (new messages, same event ids)


async def _publish(nats_url, events):
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    for spec in {stream_for(e.subject).name: stream_for(e.subject) for e in events}.values():
        await ensure_stream(js, spec)
    for i, event in enumerate(events):  # Nats-Msg-Id per message: the duplicates above are new messages
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
        assert generation.pointer(home) == (1, outcome.database_url) and outcome.database_url != reports_settings.database_url
        assert {s for s, _, _ in seen} == {"MEMBERS_V1", "MEETINGS_V1"} and len(seen) > 4  # batches of 16
        with home.begin() as conn:  # the old projection is no longer read: emptying it changes nothing
            for table in ("period_stat", "meeting_fact", "member_span", "member_change", "fee_line", "grade_fact"):
                conn.execute(text(f"DELETE FROM {table}"))
        assert _figures(client, bearer, ev) == live
    finally:
        _drop(home, outcome.database_url)


def _drop(home, url):
    engine = generation._engines.pop(url, None)
    if engine is not None:
        engine.dispose()
    if make_url(url).get_backend_name() == "postgresql":
        with home.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}"'))
