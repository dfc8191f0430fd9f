"""Against a real nats-server: the startup sweep closes every period that ended before today and publishes
MeetingObligationClosed once each; a manual close afterwards adds nothing."""
from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime, timedelta

import httpx
import nats
from nats.js.api import DeliverPolicy

from shared import clock
from shared.auth import issue_token
from shared.subjects import MEETING_OBLIGATION_CLOSED, MEETINGS_STREAM
from shared.uow import UnitOfWork
from tests.waiting import eventually

from meetings import obligations, usecases
from meetings.bootstrap import create_app
from meetings.models import ObligationClosure, outbox

from shared.db import migrate

from meetings.bootstrap import SERVICE_DIR




async def _stream_closures(js) -> list[dict]:
    sub = await js.subscribe(MEETING_OBLIGATION_CLOSED, stream=MEETINGS_STREAM.name, ordered_consumer=True,
                             deliver_policy=DeliverPolicy.ALL)
    found = []
    try:
        while True:
            found.append(json.loads((await sub.next_msg(timeout=1.0)).data))
    except nats.errors.TimeoutError:
        return found
    finally:
        await sub.unsubscribe()


async def test_the_sweep_closes_ended_periods_on_startup_and_each_is_published_exactly_once(
        database_url, nats_url, make_settings, new_world, as_envelopes, counts, monkeypatch):
    world = new_world()
    swept = threading.Event()  # set when the sweep's first round has committed every cell
    close_periods = obligations.close_periods

    def close_and_tell(*args, **kwargs):
        closed = close_periods(*args, **kwargs)
        swept.set()
        return closed

    monkeypatch.setattr(obligations, "close_periods", close_and_tell)
    app = create_app(make_settings(database_url, nats_url=nats_url, start_relay=True, obligation_sweep_interval_s=3600))
    engine = app.state.runtime.engine
    migrate(SERVICE_DIR, database_url)  # the tree is known before the service starts
    usecases.project_member_events(UnitOfWork(engine, outbox), as_envelopes(
        [*world.org_events(), *world.member_events()]), "meetings-roster-v3")
    async with app.router.lifespan_context(app):
        assert await asyncio.to_thread(swept.wait, 20), "the startup sweep did not run"
        stored = counts(engine, ObligationClosure)  # by the sweep alone
        assert stored >= 2 * 12  # two cells, at least July 2025 – March 2026
        yesterday = clock.today() - timedelta(days=1)
        token = issue_token(app.state.settings.jwt_secret, username="tinhuy", role="province", org_id=world.province)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chibo.test") as client:
            response = await client.post("/meetings/api/obligations/close", json={"until": yesterday.isoformat()},
                                         headers={"Authorization": f"Bearer {token}"})
        assert response.json()["closed"] == 0, response.text  # the sweep already closed everything up to yesterday
        nc = await nats.connect(nats_url)
        published = await eventually(lambda: _all_published(nc.jetstream(), stored))
        await nc.close()
    keys = [(e["organization_id"], e["obligation"], e["period_start"]) for e in published]
    assert len(keys) == len(set(keys)) == stored
    assert {e["organization_id"] for e in published} == {str(world.cell), str(world.other_cell)}
    assert not any(e["met"] for e in published)


async def _all_published(js, stored: int):
    found = await _stream_closures(js)
    return found if len(found) >= stored else None
