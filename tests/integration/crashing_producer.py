"""Run as a child process and killed with SIGKILL at a chosen point:
``after-commit``  — the event is committed to the outbox, never published;
``after-publish`` — the relay published it but died before marking the row."""
from __future__ import annotations

import asyncio
import os
import signal
import sys

import nats

from shared.db import make_engine
from shared.outbox import OutboxRelay
from tests.integration.delivery_kit import commit_event, organization_created, outbox


async def publish_then_die(url: str, engine) -> None:
    nc = await nats.connect(url)
    js = nc.jetstream()

    async def publish(subject: str, payload: bytes, headers: dict) -> None:
        await js.publish(subject, payload, headers=headers, timeout=5)
        await nc.flush()
        os.kill(os.getpid(), signal.SIGKILL)

    await OutboxRelay(engine, outbox, publish).drain_once()


def main(point: str, database_url: str, nats_url: str) -> None:
    engine = make_engine(database_url)
    if point == "after-commit":
        event = organization_created()
        commit_event(engine, event)
        print(event.event_id, flush=True)
        os.kill(os.getpid(), signal.SIGKILL)
    asyncio.run(publish_then_die(nats_url, engine))


if __name__ == "__main__":
    main(*sys.argv[1:4])
