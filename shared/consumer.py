"""Durable pull consumers with explicit acks, bounded retries and a dead-letter stream.

FastStream's default handler policy terminates a failed message (LESSONS §4.1);
here nothing is acknowledged until the service's handler has committed, a
failure is NAKed with a growing delay, and after ``max_deliver`` attempts the
message is copied to ``deadletter.<durable>.<subject>`` and terminated. A
message that cannot even be decoded goes there at once. The consumer keeps
going either way.

Handlers get a whole fetched batch (one transaction per batch, TOOLCHAIN: the
naive one-commit-per-event path is ~70× slower). If a batch fails, its messages
are retried one by one so one poison message cannot hold back the rest.
Handlers must not depend on arrival order across retries.
"""
from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

import nats.errors
from nats.aio.client import Client
from nats.aio.msg import Msg

from shared import events as catalogue
from shared.logging import CORRELATION_HEADER, bind_correlation_id
from shared.metrics import DeliveryMetrics
from shared.streams import ensure_consumer, ensure_stream
from shared.subjects import DEADLETTER_PREFIX, DEADLETTER_STREAM, ConsumerSpec


@dataclass(frozen=True)
class Envelope:
    event: catalogue.Event
    subject: str
    correlation_id: str | None
    deliveries: int
    stream_seq: int


BatchHandler = Callable[[list[Envelope]], Awaitable[None]]


def _raise_if_cancelled() -> None:
    """A cancel that arrived inside nats-py's fetch can come out as its timeout (the fetch swallows the
    CancelledError): the task is still being cancelled, so stop here instead of fetching on forever (seen as a
    shutdown that never ends, the loop logging ``consumer.fetch_failed`` every second)."""
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


class DurableConsumer:
    def __init__(self, nc: Client, spec: ConsumerSpec, handle: BatchHandler, metrics: DeliveryMetrics, logger,
                 decode: Callable[[str, bytes], catalogue.Event] = catalogue.decode, fetch_timeout_s: float = 0.25) -> None:
        self.nc, self.js, self.spec, self.handle = nc, nc.jetstream(), spec, handle
        self.metrics, self.logger, self.decode = metrics, logger.bind(consumer=spec.durable), decode
        self.fetch_timeout_s = fetch_timeout_s
        self.last_poll = 0.0
        self._psub = None

    async def start(self) -> None:
        await ensure_stream(self.js, DEADLETTER_STREAM)
        await ensure_consumer(self.js, self.spec)
        self._psub = await self.js.pull_subscribe_bind(self.spec.durable, self.spec.stream.name)
        self.last_poll = time.monotonic()

    async def stop(self) -> None:
        """Unsubscribe: messages fetched after a cancelled fetch would otherwise keep the
        connection's drain waiting forever; unacked ones are simply redelivered later."""
        if self._psub is not None:
            try:
                await self._psub.unsubscribe()
            except Exception as exc:  # already closed: nothing to release
                self.logger.debug("consumer.unsubscribe_failed", error=repr(exc))
            self._psub = None

    async def run(self) -> None:
        if self._psub is None:
            await self.start()
        while self._psub is not None:  # until stop()
            self.last_poll = time.monotonic()
            try:
                msgs = await self._psub.fetch(self.spec.batch_size, timeout=self.fetch_timeout_s)
            except (TimeoutError, nats.errors.TimeoutError):
                _raise_if_cancelled()
                continue
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # connection trouble: nothing was acked, so nothing is lost
                _raise_if_cancelled()
                self.logger.warning("consumer.fetch_failed", error=repr(exc))
                await asyncio.sleep(1.0)
                continue
            await self.process(msgs)

    async def process(self, msgs: list[Msg]) -> None:
        batch: list[tuple[Msg, Envelope]] = []
        first_seen: set[str] = set()
        for msg in msgs:
            meta = msg.metadata
            if meta.num_delivered > self.spec.max_deliver:
                await self._dead_letter(msg, "gave up: maximum deliveries reached")
                continue
            try:
                event = self.decode(msg.subject, msg.data)
            except Exception as exc:
                await self._dead_letter(msg, f"malformed: {exc}")
                continue
            headers = msg.headers or {}
            if str(event.event_id) in first_seen:  # a duplicate within one batch: handled once, acked with it
                await msg.ack()
                self.metrics.consumed.labels(msg.subject, self.spec.durable).inc()
                continue
            first_seen.add(str(event.event_id))
            batch.append((msg, Envelope(event, msg.subject, headers.get(CORRELATION_HEADER) or headers.get("correlation_id"),
                                        meta.num_delivered, meta.sequence.stream)))
        if not batch:
            return
        start = time.perf_counter()
        try:
            await self.handle([env for _, env in batch])
        except Exception as exc:
            self.logger.warning("consumer.batch_failed", size=len(batch), error=repr(exc))
            for msg, env in batch:
                await self._one(msg, env)
        else:
            for msg, env in batch:
                await msg.ack()
                self.metrics.consumed.labels(env.subject, self.spec.durable).inc()
            # one line per batch (not per event: logging is costly on the hot path)
            self.logger.info("events.handled", count=len(batch),
                             correlation_ids=sorted({e.correlation_id for _, e in batch if e.correlation_id}))
        self.metrics.handler_seconds.labels(self.spec.durable).observe(time.perf_counter() - start)

    async def _one(self, msg: Msg, env: Envelope) -> None:
        try:
            await self.handle([env])
        except Exception as exc:
            bind_correlation_id(env.correlation_id)
            self.metrics.failed.labels(env.subject, self.spec.durable).inc()
            if env.deliveries >= self.spec.max_deliver:
                await self._dead_letter(msg, repr(exc))
            else:
                delay = self.spec.backoff_s[min(env.deliveries, len(self.spec.backoff_s)) - 1]
                self.logger.warning("consumer.retry", subject=env.subject, event_id=str(env.event.event_id),
                                    deliveries=env.deliveries, delay_s=delay, error=repr(exc))
                await msg.nak(delay=delay)
        else:
            await msg.ack()
            self.metrics.consumed.labels(env.subject, self.spec.durable).inc()

    async def _dead_letter(self, msg: Msg, reason: str) -> None:
        headers = dict(msg.headers or {})
        meta = msg.metadata
        original_id = headers.pop("Nats-Msg-Id", None) or f"seq-{meta.sequence.stream}"
        headers.update({
            "Nats-Msg-Id": f"{self.spec.durable}:{original_id}", "Chibo-Original-Subject": msg.subject,
            "Chibo-Original-Msg-Id": original_id, "Chibo-Original-Stream-Seq": str(meta.sequence.stream),
            "Chibo-Consumer": self.spec.durable, "Chibo-Deliveries": str(meta.num_delivered), "Chibo-Error": reason[:1000],
        })
        await self.js.publish(f"{DEADLETTER_PREFIX}.{self.spec.durable}.{msg.subject}", msg.data, headers=headers,
                              stream=DEADLETTER_STREAM.name, timeout=5)
        await msg.term()
        self.metrics.dead_lettered.labels(msg.subject, self.spec.durable).inc()
        self.logger.error("consumer.dead_lettered", subject=msg.subject, message_id=original_id,
                          deliveries=meta.num_delivered, reason=reason[:300],
                          correlation_id=headers.get(CORRELATION_HEADER))
