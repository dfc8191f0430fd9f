"""Live figures: the SSE stream, and the projection fed by the real JetStream streams."""
import asyncio
import time
from datetime import date

import httpx
import nats

from shared.auth import COOKIE_NAME
from shared.consumer import Envelope
from shared.subjects import stream_for
from reports.bootstrap import create_app
from reports.subscribers import project_and_push
from tests.waiting import eventually

MARCH = date(2026, 3, 12)


def envelopes(events):
    return [Envelope(e, e.subject, None, 1, n) for n, e in enumerate(events, 1)]




async def test_a_dashboard_stream_receives_the_figures_of_its_subtree_after_a_batch(
        reports_settings, ev, serve, sse, bearer):
    app = create_app(reports_settings.model_copy(update={"sse_heartbeat_s": 0.2}))
    runtime, hub = app.state.runtime, app.state.hub
    async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        await project_and_push(runtime, hub, envelopes(ev.tree()))
        token = bearer("sogd", "committee")["Authorization"][7:]
        async with http.stream("GET", "/reports/api/stream", cookies={COOKIE_NAME: token}) as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            await sse(lines, want=": connected")
            await sse(lines, want=": heartbeat")
            await project_and_push(runtime, hub, envelopes([ev.rated("m1", "phongtc", MARCH, "tot"),
                                                            ev.rated("m2", "baotang", MARCH, "kem")]))
            received = {(d["org_id"], d["period"]): d for d in [await sse(lines) for _ in range(6)]}
            quarters = ("2026-03", "2026-Q1", "2026")
            assert set(received) == {(str(ev.oid(o)), p) for o in ("sogd", "phongtc") for p in quarters}  # subtree only
            got = received[(str(ev.oid("sogd")), "2026-Q1")]
            assert (got["org_name"], got["meetings_held"], got["levels"]["tot"]) == (
                "Đảng bộ Sở Giáo dục và Đào tạo", 1, 1)
            assert got["attendance"] == {"present": 8, "expected": 9, "rate": 88.9}
        await eventually(lambda: len(hub) == 0)  # the disconnected client left nothing behind


async def test_events_published_to_the_streams_reach_the_figures_and_the_live_stream(
        reports_settings, ev, serve, sse, bearer, nats_url):
    app = create_app(reports_settings.model_copy(update={"start_consumers": True}))
    headers = bearer("tinh", "province")
    async with serve(app) as base, httpx.AsyncClient(base_url=base, headers=headers, timeout=20) as http:
        await asyncio.wait_for(app.state.runtime.nats_ready.wait(), 20)
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        meetings = [ev.rated("m1", "phongtc", MARCH, "tot"), ev.recorded("m1", "phongtc", MARCH),
                    ev.recorded("m2", "baotang", MARCH)]
        for event in [*meetings, *ev.tree()]:  # meetings first: the tree arrives later
            await js.publish(event.subject, event.model_dump_json().encode(), stream=stream_for(event.subject).name,
                             headers={"Nats-Msg-Id": str(event.event_id)})
        params = {"org_id": str(ev.oid("tinh")), "period": "2026"}
        await poll(lambda: http.get("/reports/api/figures", params=params),
                   lambda r: r.status_code == 200 and r.json()["levels"] == {**ZERO, "tot": 1, "unrated": 1})
        async with http.stream("GET", "/reports/api/stream", params={"org_id": str(ev.oid("tinh"))}) as response:
            lines = response.aiter_lines()
            await sse(lines, want=": connected")
            await js.publish(*_late_rating(ev))
            got = await sse(lines, where=lambda d: d["org_id"] == params["org_id"] and d["period"] == "2026"
                            and d["levels"]["kha"] == 1)
        assert (got["meetings_held"], got["levels"]["tot"], got["levels"]["unrated"]) == (2, 1, 0)
        body = (await http.get("/reports/api/figures", params=params)).json()
        assert [(c["org_name"], c["meetings_held"]) for c in body["children"]] == [("Đảng bộ các cơ quan Đảng tỉnh", 2)]
        await nc.close()


ZERO = {"tot": 0, "kha": 0, "trung_binh": 0, "kem": 0, "unrated": 0}


async def poll(request, condition, timeout=15.0):
    deadline = time.monotonic() + timeout
    while not condition(await request()):
        assert time.monotonic() < deadline, "condition not met in time"
        await asyncio.sleep(0.05)  # poll interval


def _late_rating(ev):
    event = ev.rated("m2", "baotang", MARCH, "kha")
    return event.subject, event.model_dump_json().encode(), 5.0, stream_for(event.subject).name, {
        "Nats-Msg-Id": str(event.event_id)}
