"""Declare streams and consumers with explicit configuration.

Every service ensures every stream it publishes to or reads from, with the one
configuration in shared.subjects, so no service depends on another having
started first. Durable consumers are explicit-ack, deliver-all, bounded retries.
"""
from __future__ import annotations

from nats.js import JetStreamContext
from nats.js.api import (AckPolicy, ConsumerConfig, DeliverPolicy, DiscardPolicy, RetentionPolicy, StorageType,
                         StreamConfig)
from nats.js.errors import NotFoundError

from shared.subjects import ConsumerSpec, StreamSpec


def stream_config(spec: StreamSpec) -> StreamConfig:
    return StreamConfig(
        name=spec.name, subjects=list(spec.subjects), description=spec.description,
        retention=RetentionPolicy.LIMITS, storage=StorageType.FILE, discard=DiscardPolicy.OLD,
        max_age=spec.max_age_days * 86400.0, duplicate_window=float(spec.duplicate_window_s), num_replicas=1,
    )


async def ensure_stream(js: JetStreamContext, spec: StreamSpec) -> None:
    config = stream_config(spec)
    try:
        info = await js.stream_info(spec.name)
    except NotFoundError:
        await js.add_stream(config)
        return
    if sorted(info.config.subjects or []) != sorted(spec.subjects):
        await js.update_stream(config)


def consumer_config(spec: ConsumerSpec) -> ConsumerConfig:
    subjects = list(spec.subjects)
    return ConsumerConfig(
        durable_name=spec.durable, name=spec.durable,
        ack_policy=AckPolicy.EXPLICIT, ack_wait=spec.ack_wait_s,
        deliver_policy=DeliverPolicy.ALL,
        # One delivery more than we retry: if the process dies on the last try,
        # the next delivery goes straight to the dead-letter stream.
        max_deliver=spec.max_deliver + 1,
        max_ack_pending=max(1000, spec.batch_size * 4),
        filter_subjects=subjects if len(subjects) > 1 else None,
        filter_subject=subjects[0] if len(subjects) == 1 else None,
    )


async def ensure_consumer(js: JetStreamContext, spec: ConsumerSpec) -> None:
    await ensure_stream(js, spec.stream)
    try:
        await js.consumer_info(spec.stream.name, spec.durable)
    except NotFoundError:
        await js.add_consumer(spec.stream.name, consumer_config(spec))
