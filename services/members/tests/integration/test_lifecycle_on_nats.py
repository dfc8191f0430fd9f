"""Through the real broker: lifecycle commands over HTTP reach MEMBERS_V1 via the outbox relay, in order."""
from __future__ import annotations

import asyncio
import json
import time
from datetime import date, timedelta

import httpx
import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError

from members.bootstrap import create_app
from shared import clock
from shared.subjects import MEMBER_ADMITTED, MEMBERS_STREAM, MEMBERSHIP_ENDED

T = clock.today()


async def collect(nats_url: str, subjects: list[str], wanted: int, timeout: float = 20.0) -> list:
    """Pull the lifecycle subjects from the stream until ``wanted`` messages arrived."""
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        deadline = time.monotonic() + timeout
        while True:
            try:
                await js.stream_info(MEMBERS_STREAM.name)
                break
            except NotFoundError:
                assert time.monotonic() < deadline, "no MEMBERS_V1 stream"
                await asyncio.sleep(0.05)
        sub = await js.subscribe("members.member.>", stream=MEMBERS_STREAM.name, ordered_consumer=True)
        got = []
        while len(got) < wanted:
            assert time.monotonic() < deadline, f"only {[m.subject for m in got]} arrived"
            try:
                msg = await sub.next_msg(timeout=0.5)
            except (NatsTimeout, asyncio.TimeoutError):
                continue
            if msg.subject in subjects:
                got.append(msg)
        return got
    finally:
        await nc.close()


async def test_an_admission_and_a_death_over_http_arrive_on_the_members_stream(nats_url, settings_for, tree, auth):
    app = create_app(settings_for(nats_url=nats_url, start_relay=True))
    headers = auth("committee", tree.committee)
    async with app.router.lifespan_context(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://members") as client:
            response = await client.post("/members/api/admissions", headers=headers, json={
                "full_name": "Phan Văn Kiên", "sex": "male", "date_of_birth": "1994-04-04",
                "organization_id": str(tree.cell), "considered_on": str(T - timedelta(days=20)),
                "decision_date": str(T - timedelta(days=10)), "ceremony_date": str(T - timedelta(days=5)),
                "cccd": "025094000404", "ethnicity": "Kinh"})
            assert response.status_code == 201, response.text
            member_id = response.json()["member"]["id"]
            ended = await client.post(f"/members/api/members/{member_id}/end", headers=headers,
                                      json={"reason": "deceased", "effective_from": str(T)})
            assert ended.status_code == 200, ended.text
        messages = await collect(nats_url, [MEMBER_ADMITTED, MEMBERSHIP_ENDED], 2)
    admitted, death = (json.loads(m.data) for m in messages)
    assert [m.subject for m in messages] == [MEMBER_ADMITTED, MEMBERSHIP_ENDED]
    assert messages[0].headers["Nats-Msg-Id"] == admitted["event_id"]
    assert admitted["member_id"] == death["member_id"] == member_id
    assert admitted["profile"]["ethnicity"] == "Kinh" and admitted["organization_id"] == str(tree.cell)
    assert death["reason"] == "deceased" and death["effective_from"] == str(T) and death["actor"] == "test-committee"
