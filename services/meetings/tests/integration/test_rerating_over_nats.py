"""Each recalculation trigger end to end through a real nats-server: the meeting is amended, a member is
exempted back-dated (event on MEMBERS_V1), a new rubric version for a past period — each ends in a MeetingRated
with a higher revision on MEETINGS_V1 and a longer rating history."""
from __future__ import annotations

import contextlib
import json
from datetime import date

import httpx
import nats
from nats.js.api import DeliverPolicy

from shared.auth import issue_token
from shared.events import MemberExempted, OrganizationDissolved
from shared.subjects import MEETING_RATED, MEETINGS_STREAM, MEMBERS_STREAM

from meetings.bootstrap import create_app

from tests.waiting import eventually

from .test_over_nats import _publish, _roster, _true

CUONG = "Lê Văn Cường"


@contextlib.asynccontextmanager
async def running(database_url, nats_url, make_settings, world):
    """The service with its consumers, relay and re-rating worker; the world's tree and members published."""
    app = create_app(make_settings(database_url, nats_url=nats_url, start_consumers=True, start_relay=True))
    nc = await nats.connect(nats_url)
    js = nc.jetstream()
    async with app.router.lifespan_context(app):
        await eventually(lambda: _true(app.state.runtime.nats_ready.is_set()))
        for event in [*world.org_events(), *world.member_events()]:
            await _publish(js, event)
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chibo.test") as client:
            def headers(role="secretary", org=world.cell, username="bithu"):
                token = issue_token(app.state.settings.jwt_secret, username=username, role=role, org_id=org)
                return {"Authorization": f"Bearer {token}"}
            await eventually(lambda: _roster(client, world, headers(), size=3))
            yield app, js, client, headers
    await nc.close()


async def rated(js, meeting_id: str, revision: int) -> dict:
    """The MeetingRated message of a meeting with that revision, from the stream."""
    sub = await js.subscribe(MEETING_RATED, stream=MEETINGS_STREAM.name, ordered_consumer=True,
                             deliver_policy=DeliverPolicy.ALL)

    async def probe():
        with contextlib.suppress(nats.errors.TimeoutError):
            while True:
                data = json.loads((await sub.next_msg(timeout=0.2)).data)
                if data["meeting_id"] == meeting_id and data["revision"] == revision:
                    return data
        return None
    try:
        return await eventually(probe)
    finally:
        await sub.unsubscribe()


async def _drained(js) -> bool:
    info = await js.consumer_info(MEMBERS_STREAM.name, "meetings-roster-v3")
    return info.num_pending == 0 and info.num_ack_pending == 0


async def excused_meeting(client, headers, world, meeting_body_for) -> str:
    body = meeting_body_for(world)
    for line in body["attendance"]:
        if line["member_id"] == str(world.members[CUONG]):
            line.update(status="absent_excused", spoke=False, absence_reason="Ốm")
    response = await client.post("/meetings/api/meetings", json=body, headers=headers())
    assert response.status_code == 201, response.text
    return response.json()["id"]


async def history(client, headers, meeting_id: str) -> list[tuple]:
    shown = (await client.get(f"/meetings/api/meetings/{meeting_id}/ratings", headers=headers())).json()
    return [(h["revision"], h["meeting_revision"], h["cause"], h["expected"], h["score"], h["rubric_code"])
            for h in shown["history"]]


async def test_an_amended_meeting_is_re_rated_on_nats_with_a_higher_revision(
        database_url, nats_url, make_settings, new_world, meeting_body_for):
    world = new_world()
    async with running(database_url, nats_url, make_settings, world) as (app, js, client, headers):
        meeting_id = await excused_meeting(client, headers, world, meeting_body_for)
        first = await rated(js, meeting_id, 1)
        assert (first["score"], first["level"], first["expected"]) == (88, "kha", 3)
        body = meeting_body_for(world, duration_minutes=60)  # everyone present now, but a short meeting
        response = await client.put(f"/meetings/api/meetings/{meeting_id}", json=body, headers=headers())
        assert response.status_code == 200 and response.json()["revision"] == 2
        second = await rated(js, meeting_id, 2)
        assert (second["score"], second["level"], second["present"], second["expected"]) == (95, "tot", 3, 3)
        assert await history(client, headers, meeting_id) == [
            (1, 1, "recorded", 3, 88, "phu-tho-100"), (2, 2, "amended", 3, 95, "phu-tho-100")]


async def test_a_back_dated_exemption_on_nats_re_rates_an_earlier_meeting_with_a_smaller_denominator(
        database_url, nats_url, make_settings, new_world, meeting_body_for):
    world = new_world()
    async with running(database_url, nats_url, make_settings, world) as (app, js, client, headers):
        meeting_id = await excused_meeting(client, headers, world, meeting_body_for)
        await rated(js, meeting_id, 1)
        event = MemberExempted(member_id=world.members[CUONG], organization_id=world.cell, reason="Tuổi cao, sức yếu",
                               effective_from=date(2026, 2, 1))
        await _publish(js, event)
        await _publish(js, event, msg_id=f"replay-{event.event_id}")  # delivered twice: re-rated once
        second = await rated(js, meeting_id, 2)
        assert (second["score"], second["level"], second["present"], second["expected"]) == (100, "tot", 2, 2)
        await eventually(lambda: _drained(js))
        assert await history(client, headers, meeting_id) == [
            (1, 1, "recorded", 3, 88, "phu-tho-100"), (2, 1, "roster", 2, 100, "phu-tho-100")]


async def test_a_new_rubric_version_for_a_past_period_re_rates_the_meetings_on_nats(
        database_url, nats_url, make_settings, new_world, meeting_body_for):
    world = new_world()
    async with running(database_url, nats_url, make_settings, world) as (app, js, client, headers):
        meeting_id = await excused_meeting(client, headers, world, meeting_body_for)
        await rated(js, meeting_id, 1)
        definition = (await client.get("/meetings/api/rubrics", headers=headers())).json()
        [base] = [r["definition"] for r in definition if r["code"] == "phu-tho-100"]
        lenient = {**base, "bands": [{**b, "min": 85} if b["level"] == "tot" else {**b, "max": 85}
                                     if b["level"] == "kha" else b for b in base["bands"]]}
        response = await client.post("/meetings/api/rubrics", headers=headers("committee", world.committee, "uyvien"),
                                     json={"code": "khoi-co-quan", "definition": lenient, "effective_from": "2026-01-01",
                                           "scope_org_id": str(world.committee)})
        assert response.status_code == 201, response.text
        second = await rated(js, meeting_id, 2)
        assert (second["rubric_code"], second["rubric_version"], second["score"], second["level"]) == (
            "khoi-co-quan", 1, 88, "tot")
        assert (await history(client, headers, meeting_id))[-1] == (2, 1, "rubric", 3, 88, "khoi-co-quan")


async def test_an_organization_dissolved_on_members_v1_reaches_the_projection_and_ends_the_cells_obligations(
        database_url, nats_url, make_settings, new_world):
    world = new_world()
    async with running(database_url, nats_url, make_settings, world) as (app, js, client, headers):
        await _publish(js, OrganizationDissolved(organization_id=world.cell, effective_from=date(2026, 4, 1)))
        await eventually(lambda: _drained(js))
        province = headers("province", world.province, "tinhuy")
        closed = await client.post("/meetings/api/obligations/close", json={"until": "2026-06-30"}, headers=province)
        assert closed.status_code == 200, closed.text
        found = (await client.get(f"/meetings/api/cells/{world.cell}/obligations", params={"year": 2026},
                                  headers=province)).json()
    assert max(c["period_end"] for c in found if c["obligation"] == "regular") == "2026-03-31"
