"""Through the real broker: an organization created over HTTP reaches MEMBERS_V1 via the outbox relay."""
from __future__ import annotations

import json

import httpx
import nats
from nats.errors import TimeoutError as NatsTimeout
from nats.js.errors import NotFoundError
from sqlalchemy import select

from members import models
from members.bootstrap import create_app
from shared.subjects import MEMBERS_STREAM, ORGANIZATION_CREATED
from tests.waiting import eventually




async def find_published(js, event_id: str):
    """Pull members.organization.created from the stream until the message with this Nats-Msg-Id shows up."""
    sub = await js.pull_subscribe(ORGANIZATION_CREATED, stream=MEMBERS_STREAM.name)

    async def fetch():
        try:
            messages = await sub.fetch(50, timeout=0.5)
        except NatsTimeout:
            return None
        return next((m for m in messages if (m.headers or {}).get("Nats-Msg-Id") == event_id), None)

    return await eventually(fetch, what=f"event {event_id} on {MEMBERS_STREAM.name}")


async def stream_exists(js):
    try:
        return await js.stream_info(MEMBERS_STREAM.name)
    except NotFoundError:
        return None


async def pull_published(nats_url: str, event_id: str):
    nc = await nats.connect(nats_url)
    try:
        js = nc.jetstream()
        await eventually(lambda: stream_exists(js), what="the MEMBERS_V1 stream")
        return await find_published(js, event_id)
    finally:
        await nc.close()


async def post_organization(app, headers: dict, parent) -> dict:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://members") as client:
        response = await client.post("/members/api/organizations", headers=headers, json={
            "name": "Chi bộ Sở Tư pháp", "kind": "grassroots_cell", "sector": "administrative",
            "parent_id": str(parent), "effective_from": "2026-02-01"})
    assert response.status_code == 201, response.text
    return response.json()


def outbox_column(engine, column, where):
    with engine.connect() as conn:
        return conn.execute(select(column).where(where)).scalar_one()


async def test_an_organization_created_over_http_arrives_on_the_members_stream(
        nats_url, settings_for, tree, engine, auth):
    app = create_app(settings_for(nats_url=nats_url, start_relay=True))
    async with app.router.lifespan_context(app):
        org_id = (await post_organization(app, auth("province", tree.province), tree.other_committee))["id"]
        event_id = outbox_column(engine, models.outbox.c.event_id, models.outbox.c.payload.contains(org_id))
        message = await pull_published(nats_url, event_id)

        async def marked():
            return outbox_column(engine, models.outbox.c.published_at, models.outbox.c.event_id == event_id)

        await eventually(marked, what="the outbox row marked published")
    payload = json.loads(message.data)
    assert message.subject == ORGANIZATION_CREATED and message.headers["Nats-Msg-Id"] == event_id
    assert payload["event_id"] == event_id and payload["organization_id"] == org_id
    assert payload["parent_id"] == str(tree.other_committee) and payload["name"] == "Chi bộ Sở Tư pháp"
