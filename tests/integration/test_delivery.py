"""Delivery guarantees of the shared machinery, against a real nats-server."""
from __future__ import annotations

import asyncio
import os
import re
import subprocess
import sys
from pathlib import Path

import nats
import pytest
import structlog
from nats.js.api import AckPolicy, RetentionPolicy, StorageType

from deploy.local.procs import NatsProcess
from shared.consumer import DurableConsumer
from shared.db import make_engine
from shared.metrics import build_metrics
from shared.outbox import OutboxRelay
from shared.streams import ensure_stream
from shared.subjects import ALL_STREAMS, DEADLETTER_STREAM, MEMBERS_STREAM, ORGANIZATION_CREATED, ConsumerSpec
from tests.waiting import eventually
from tests.integration.delivery_kit import (commit_event, counting_handler, metadata, organization_created, outbox,
                                            seen_count)

ROOT = Path(__file__).resolve().parents[2]
log = structlog.get_logger()


@pytest.fixture
def nats_proc(tmp_path):
    server = NatsProcess(tmp_path / "nats").start()
    yield server
    server.stop()


@pytest.fixture
def engine(database_url):
    engine = make_engine(database_url)
    metadata.create_all(engine)
    yield engine
    engine.dispose()


@pytest.fixture
async def js_client(nats_proc):
    nc = await nats.connect(nats_proc.url)
    js = nc.jetstream()
    for spec in ALL_STREAMS:
        await ensure_stream(js, spec)
    yield nc, js
    await nc.close()


def spec(durable: str, **kw) -> ConsumerSpec:
    kw.setdefault("backoff_s", (0.05, 0.05, 0.05))
    return ConsumerSpec(durable, MEMBERS_STREAM, [ORGANIZATION_CREATED], **kw)




async def messages_on(js, stream: str, subject: str) -> list:
    sub = await js.pull_subscribe(subject, stream=stream)
    out = []
    try:
        while True:
            out += await sub.fetch(100, timeout=0.5)
    except (TimeoutError, nats.errors.TimeoutError):
        pass
    await sub.unsubscribe()
    return out


def run_crashing(point: str, database_url: str, nats_url: str) -> subprocess.CompletedProcess:
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "tests.integration.crashing_producer", point, database_url, nats_url],
                          cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)


async def publish(js, subject: str, relay_engine) -> None:
    await js.publish(subject, b"", timeout=5)


async def relay_for(engine, js) -> OutboxRelay:
    async def publish(subject, payload, headers):
        await js.publish(subject, payload, headers=headers, timeout=5)
    return OutboxRelay(engine, outbox, publish)


async def test_an_event_committed_by_a_process_killed_before_publishing_is_published_once_after_restart(
        engine, database_url, nats_proc, js_client):
    _, js = js_client
    child = run_crashing("after-commit", database_url, nats_proc.url)
    assert child.returncode == -9, child.stderr
    event_id = child.stdout.strip()
    assert await messages_on(js, MEMBERS_STREAM.name, ORGANIZATION_CREATED) == []

    published = await (await relay_for(engine, js)).drain_once()

    msgs = await messages_on(js, MEMBERS_STREAM.name, ORGANIZATION_CREATED)
    assert published == 1
    assert [m.headers["Nats-Msg-Id"] for m in msgs] == [event_id]


async def test_a_relay_killed_between_publish_and_marking_does_not_publish_twice_after_restart(
        engine, database_url, nats_proc, js_client):
    _, js = js_client
    event = organization_created()
    commit_event(engine, event)
    child = run_crashing("after-publish", database_url, nats_proc.url)
    assert child.returncode == -9, child.stderr
    relay = await relay_for(engine, js)
    assert relay.backlog() == 1  # the row was never marked

    assert await relay.drain_once() == 1  # published again on restart …

    msgs = await messages_on(js, MEMBERS_STREAM.name, ORGANIZATION_CREATED)
    assert [m.headers["Nats-Msg-Id"] for m in msgs] == [str(event.event_id)]  # … and JetStream kept one
    assert relay.backlog() == 0


async def test_an_event_delivered_twice_changes_the_projection_once(engine, js_client):
    nc, js = js_client
    event = organization_created()
    # the same event published twice under different message ids (as a re-publish after the
    # duplicate window would be): broker-level dedupe cannot help, the inbox must
    for msg_id in ("first", "second"):
        await js.publish(event.subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": msg_id})
    consumer = DurableConsumer(nc, spec("test-twice-v1"), counting_handler(engine, "test-twice-v1"), build_metrics(), log)
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        await eventually(lambda: consumer.metrics.consumed.labels(event.subject, "test-twice-v1")._value.get() == 2)
    finally:
        task.cancel()
    assert seen_count(engine, event.organization_id) == 1


async def test_a_failing_handler_is_retried_then_dead_lettered_and_the_consumer_keeps_going(engine, js_client):
    nc, js = js_client
    poison, healthy = organization_created("Hỏng"), organization_created("Lành")
    calls: list[str] = []
    metrics = build_metrics()
    handler = counting_handler(engine, "test-dlq-v1", fail_for={str(poison.event_id)}, calls=calls)
    consumer = DurableConsumer(nc, spec("test-dlq-v1", max_deliver=3), handler, metrics, log)
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    try:
        for event in (poison, healthy):
            await js.publish(event.subject, event.model_dump_json().encode(), headers={"Nats-Msg-Id": str(event.event_id)})
        await eventually(lambda: metrics.dead_lettered.labels(ORGANIZATION_CREATED, "test-dlq-v1")._value.get() == 1)
        await eventually(lambda: seen_count(engine, healthy.organization_id) == 1)
    finally:
        task.cancel()
    assert calls.count(str(poison.event_id)) >= 3  # tried up to the limit (first batch try + 3 deliveries)
    assert metrics.failed.labels(ORGANIZATION_CREATED, "test-dlq-v1")._value.get() == 3
    dead = await messages_on(js, DEADLETTER_STREAM.name, "deadletter.>")
    assert len(dead) == 1
    assert dead[0].subject == f"deadletter.test-dlq-v1.{ORGANIZATION_CREATED}"
    assert dead[0].headers["Chibo-Original-Msg-Id"] == str(poison.event_id)
    assert "handler failed on purpose" in dead[0].headers["Chibo-Error"]
    assert dead[0].data == poison.model_dump_json().encode()


async def test_a_malformed_event_is_dead_lettered_at_once_without_blocking_the_next(engine, js_client):
    nc, js = js_client
    metrics = build_metrics()
    consumer = DurableConsumer(nc, spec("test-malformed-v1"), counting_handler(engine, "test-malformed-v1"), metrics, log)
    await consumer.start()
    task = asyncio.create_task(consumer.run())
    good = organization_created()
    try:
        await js.publish(ORGANIZATION_CREATED, b'{"organization_id": "not-a-uuid"}', headers={"Nats-Msg-Id": "bad-1"})
        await js.publish(good.subject, good.model_dump_json().encode(), headers={"Nats-Msg-Id": str(good.event_id)})
        await eventually(lambda: seen_count(engine, good.organization_id) == 1)
        await eventually(lambda: metrics.dead_lettered.labels(ORGANIZATION_CREATED, "test-malformed-v1")._value.get() == 1)
    finally:
        task.cancel()
    dead = await messages_on(js, DEADLETTER_STREAM.name, "deadletter.>")
    assert [d.headers["Chibo-Deliveries"] for d in dead] == ["1"]
    assert dead[0].headers["Chibo-Error"].startswith("malformed")


async def test_a_durable_consumer_that_was_down_catches_up_from_where_it_stopped(engine, nats_proc, js_client):
    _, js = js_client
    before = [organization_created(f"Trước {i}") for i in range(3)]
    after = [organization_created(f"Sau {i}") for i in range(5)]
    calls: list[str] = []

    # A service that dies leaves its last pull request open on the server until it expires; an event the server
    # hands to that dead request comes back only after ack_wait. A short ack_wait keeps that wait inside the test's.
    async def start_service():  # its own connection, as a separate process would have
        nc = await nats.connect(nats_proc.url)
        consumer = DurableConsumer(nc, spec("test-catchup-v1", ack_wait_s=2),
                                   counting_handler(engine, "test-catchup-v1", calls=calls),
                                   build_metrics(), log)
        await consumer.start()
        return nc, asyncio.create_task(consumer.run())

    nc, task = await start_service()
    for e in before:
        await js.publish(e.subject, e.model_dump_json().encode(), headers={"Nats-Msg-Id": str(e.event_id)})
    await eventually(lambda: all(seen_count(engine, e.organization_id) == 1 for e in before))
    task.cancel()
    await asyncio.gather(task, return_exceptions=True)
    await nc.close()  # the service goes down

    for e in after:  # events keep flowing while it is down
        await js.publish(e.subject, e.model_dump_json().encode(), headers={"Nats-Msg-Id": str(e.event_id)})
    nc, task = await start_service()
    try:
        await eventually(lambda: all(seen_count(engine, e.organization_id) == 1 for e in after))
    finally:
        task.cancel()
        await nc.close()
    assert sorted(calls) == sorted(str(e.event_id) for e in before + after)  # nothing replayed, nothing skipped


async def test_streams_and_consumers_are_declared_with_explicit_versioned_configuration(engine, js_client):
    nc, js = js_client
    consumer = DurableConsumer(nc, spec("test-config-v1", max_deliver=4, ack_wait_s=20), counting_handler(engine, "x"),
                               build_metrics(), log)
    await consumer.start()
    info = await js.consumer_info(MEMBERS_STREAM.name, "test-config-v1")
    assert info.config.ack_policy == AckPolicy.EXPLICIT
    assert info.config.ack_wait == 20
    assert info.config.max_deliver == 5  # one past our retries: a crash on the last try still dead-letters
    assert info.config.durable_name == "test-config-v1"
    for stream in ALL_STREAMS:
        sinfo = await js.stream_info(stream.name)
        assert re.fullmatch(r"[A-Z]+_V\d+", stream.name)
        assert sinfo.config.retention == RetentionPolicy.LIMITS
        assert sinfo.config.storage == StorageType.FILE
        assert sinfo.config.duplicate_window == stream.duplicate_window_s
    owners = [s.owner for s in ALL_STREAMS]
    assert len(owners) == len(set(owners))  # one stream per owning service


async def test_a_consumer_cancelled_as_its_connection_closes_stops_instead_of_fetching_forever():
    """nats-py turns a cancel that lands in a fetch on a closing connection into ConnectionClosedError; the
    consumer must still stop (before, it logged ``consumer.fetch_failed`` every second and a shutdown never
    ended)."""
    fetching = asyncio.Event()

    class ClosingSubscription:  # what nats-py's next_msg does when cancelled on a closed connection (once here,
        swallowed = []  # so that without the fix the test fails on its timeout instead of hanging)

        async def fetch(self, batch, timeout):
            fetching.set()
            try:
                await asyncio.sleep(3600)
            except asyncio.CancelledError:
                if self.swallowed:
                    raise
                self.swallowed.append(True)
                raise nats.errors.ConnectionClosedError from None

        async def unsubscribe(self):
            pass

    class NoServer:
        def jetstream(self):
            return None

    consumer = DurableConsumer(NoServer(), spec("test-cancel-v1"), None, build_metrics(), log)
    consumer._psub = ClosingSubscription()
    task = asyncio.create_task(consumer.run())
    await asyncio.wait_for(fetching.wait(), 5)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await asyncio.wait_for(task, 5)  # without the fix: TimeoutError, the task still fetching
