"""Against a real nats-server: a scheduled meeting's MeetingScheduled reaches the stream once, under its event id."""
from __future__ import annotations

import asyncio
import json
from datetime import datetime, timezone

import httpx
import nats
from nats.js.api import DeliverPolicy

from shared.auth import issue_token
from shared.db import migrate
from shared.subjects import MEETING_SCHEDULED, MEETINGS_STREAM
from shared.uow import UnitOfWork

from meetings import record_api, usecases
from meetings.bootstrap import SERVICE_DIR, create_app
from meetings.models import outbox


async def test_a_scheduled_meeting_is_published_on_nats_with_its_event_id_as_message_id(
        database_url, nats_url, make_settings, new_world, as_envelopes):
    world = new_world()
    app = create_app(make_settings(database_url, nats_url=nats_url, start_relay=True))
    app.dependency_overrides[record_api._now] = lambda: datetime(2026, 3, 1, tzinfo=timezone.utc)
    migrate(SERVICE_DIR, database_url)
    usecases.project_member_events(UnitOfWork(app.state.runtime.engine, outbox), as_envelopes(
        [*world.org_events(), *world.member_events()]), "meetings-roster-v3")
    token = issue_token(app.state.settings.jwt_secret, username="bithu", role="secretary", org_id=world.cell)
    nc = await nats.connect(nats_url)
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chibo.test") as client:
            response = await client.post("/meetings/api/schedules", headers={"Authorization": f"Bearer {token}"},
                                         json={"organization_id": str(world.cell), "starts_at": "2026-03-10T14:00:00",
                                               "place": "Hội trường", "agenda": ["Thông tin thời sự"]})
        assert response.status_code == 201, response.text
        msg = await _next(nc, 20)
    await nc.close()
    event = json.loads(msg.data)
    assert event["meeting_id"] == response.json()["id"] and event["agenda"] == ["Thông tin thời sự"]
    assert msg.headers["Nats-Msg-Id"] == event["event_id"]


async def _next(nc, timeout: float):
    deadline = asyncio.get_running_loop().time() + timeout
    while True:  # the stream exists once the service has connected
        try:
            sub = await nc.jetstream().subscribe(MEETING_SCHEDULED, stream=MEETINGS_STREAM.name,
                                                 ordered_consumer=True, deliver_policy=DeliverPolicy.ALL)
            break
        except Exception:
            if asyncio.get_running_loop().time() > deadline:
                raise
            await asyncio.sleep(0.2)
    try:
        return await sub.next_msg(timeout=max(1.0, deadline - asyncio.get_running_loop().time()))
    finally:
        await sub.unsubscribe()
