"""Against a real nats-server with JetStream: member events build the roster, a recorded meeting gets rated."""
from __future__ import annotations

import json
import time

import httpx
import nats
from nats.js.api import DeliverPolicy

from shared.auth import issue_token
from shared.events import Event
from shared.subjects import MEETING_RATED, MEETINGS_STREAM, MEMBERS_STREAM
from tests.waiting import eventually

from meetings.bootstrap import create_app
from meetings.models import RosterEntry, inbox
from meetings.subscribers import ROSTER




async def _publish(js, event: Event, msg_id: str | None = None) -> int:
    ack = await js.publish(event.subject, event.model_dump_json().encode(), stream=MEMBERS_STREAM.name, timeout=5,
                           headers={"Nats-Msg-Id": msg_id or str(event.event_id)})
    return ack.seq


async def test_member_events_on_nats_build_the_roster_and_a_recorded_meeting_is_rated_on_nats(
        database_url, nats_url, make_settings, new_world, meeting_body_for, counts):
    app = create_app(make_settings(database_url, nats_url=nats_url, start_consumers=True, start_relay=True))
    world = new_world()
    members = world.member_events()
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    async with app.router.lifespan_context(app):
        await eventually(lambda: _true(app.state.runtime.nats_ready.is_set()))
        # A member event before its cell's event, then the tree, then one event delivered a second time
        # (as a replay after the duplicate window would: same event, new message id).
        for event in [members[0], *world.org_events(), *members[1:]]:
            await _publish(js, event)
        last = await _publish(js, members[1], msg_id=f"replay-{members[1].event_id}")
        token = issue_token(app.state.settings.jwt_secret, username="bithu", role="secretary", org_id=world.cell)
        headers = {"Authorization": f"Bearer {token}", "X-Correlation-ID": "corr-meeting-1"}
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chibo.test") as client:
            roster = await eventually(lambda: _roster(client, world, headers, size=3))
            await eventually(lambda: _consumed_up_to(js, last))
            assert sorted(m["full_name"] for m in roster) == ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"]
            engine = app.state.runtime.engine
            assert counts(engine, RosterEntry) == 4 and counts(engine, inbox) == 9  # 5 orgs + 4 members, once each
            response = await client.post("/meetings/api/meetings", json=meeting_body_for(world), headers=headers)
            assert response.status_code == 201, response.text
            meeting_id = response.json()["id"]
            rated_msg = await _rated_message(js, meeting_id)
            rated = json.loads(rated_msg.data)
            assert (rated["score"], rated["level"], rated["present"], rated["expected"]) == (100.0, "tot", 3, 3)
            assert rated_msg.headers["Nats-Msg-Id"] == rated["event_id"]
            assert rated_msg.headers["X-Correlation-ID"] == "corr-meeting-1"
            shown = await eventually(lambda: _rating(client, meeting_id, headers))
            assert shown["score"] == 100 and shown["level"] == "tot"
    await nc.close()


async def _true(value: bool) -> bool:
    return value


async def _roster(client, world, headers, size: int):
    response = await client.get(f"/meetings/api/cells/{world.cell}/roster", params={"on": "2026-03-01"}, headers=headers)
    members = response.json()["members"] if response.status_code == 200 else []
    return members if len(members) >= size else None


async def _consumed_up_to(js, stream_seq: int) -> bool:
    info = await js.consumer_info(MEMBERS_STREAM.name, ROSTER.durable)
    return info.ack_floor.stream_seq >= stream_seq and info.num_ack_pending == 0


async def _rated_message(js, meeting_id: str):
    sub = await js.subscribe(MEETING_RATED, stream=MEETINGS_STREAM.name, ordered_consumer=True,
                             deliver_policy=DeliverPolicy.ALL)
    try:
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            msg = await sub.next_msg(timeout=deadline - time.monotonic())
            if json.loads(msg.data)["meeting_id"] == meeting_id:
                return msg
        raise AssertionError("no MeetingRated for the meeting")
    finally:
        await sub.unsubscribe()


async def _rating(client, meeting_id: str, headers):
    return (await client.get(f"/meetings/api/meetings/{meeting_id}", headers=headers)).json()["rating"]
