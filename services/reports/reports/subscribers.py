"""Durable consumers: the organization tree and the meetings, one projection."""
from __future__ import annotations

import asyncio
from collections.abc import Callable
from dataclasses import replace

from shared import clock
from shared.consumer import BatchHandler, Envelope
from shared.db import in_thread
from shared.logging import bind_correlation_id
from shared.service import Runtime
from shared.subjects import (ABSENCE_LIMIT_REACHED, MEETING_OBLIGATION_CLOSED, MEETING_RATED, MEETING_RECORDED,
                             MEETINGS_STREAM, MEMBERS_STREAM, ConsumerSpec)
from reports import usecases
from reports.hub import FiguresHub

# Batches of up to 2048: a projection commit costs mostly the pages it dirties, which grow far slower than
# the batch (measured on a 51k-event replay: 256 → ~5k events/s, 2048 → ~9.5k on SQLite and PostgreSQL).
# v2 of the tree durable: same filter, new name, so that the Moved/Renamed/Reclassified/Dissolved/Graded events
# v1 acknowledged without projecting are replayed once (the inbox skips the Created events already applied).
TREE = ConsumerSpec("reports-tree-v2", MEMBERS_STREAM, ["members.organization.>"], batch_size=2048)
# v3 of the meetings durable: v2 added the obligations, v3 the absence limits (alerts); JetStream refuses to
# change a durable's filter in place, so each is a new name (v3 replays the stream once: the inbox skips the rest).
MEETINGS = ConsumerSpec("reports-meetings-v3", MEETINGS_STREAM, [MEETING_RECORDED, MEETING_RATED,
                                                                 MEETING_OBLIGATION_CLOSED, ABSENCE_LIMIT_REACHED],
                        batch_size=2048)
MEMBERS = ConsumerSpec("reports-members-v1", MEMBERS_STREAM, ["members.member.>", "members.fees.>"], batch_size=2048)


def consumer_specs(settings) -> list[ConsumerSpec]:
    tuning = {"max_deliver": settings.consumer_max_deliver, "backoff_s": tuple(settings.consumer_backoff_s),
              "ack_wait_s": settings.consumer_ack_wait_s}
    return [replace(TREE, **tuning), replace(MEETINGS, **tuning), replace(MEMBERS, **tuning)]


async def project_and_push(runtime: Runtime, hub: FiguresHub, envelopes: list[Envelope]) -> None:
    """Commit the batch, then push the changed figures to the live dashboards that may see them."""
    correlation_ids = sorted({e.correlation_id for e in envelopes if e.correlation_id})
    if len(correlation_ids) == 1:  # the usual live batch: one request's events; its log lines carry the id
        bind_correlation_id(correlation_ids[0])
    changes, refresh = await in_thread(usecases.project_marking, runtime.engine, envelopes)
    # One line per batch, never per event (a rebuild applies thousands a second).
    runtime.logger.info("projection.applied", events=len(envelopes), changed=len(changes),
                        correlation_ids=correlation_ids[:20])
    if changes and len(hub):
        hub.deliver(await in_thread(usecases.figures_for_changes, runtime.engine, changes, refresh))


def roll_base_keeper(interval_s: float):
    """A background job for ServiceSpec.background: the roll counters' base month kept at its target
    (roll_months.base_target) at start, then checked every interval; a failure is logged, the next round retries
    (nothing is half-moved: one transaction)."""
    async def keep(runtime: Runtime) -> None:
        if interval_s <= 0:
            return
        while True:
            try:
                moved = await in_thread(usecases.keep_roll_base, runtime.engine, clock.today())
                if moved:
                    runtime.logger.info("roll.base_moved", base_month=moved)
            except Exception as exc:  # noqa: BLE001 — the figures stay exact without it, only slower
                runtime.logger.warning("roll.base_move_failed", error=repr(exc))
            await asyncio.sleep(interval_s)

    return keep


def projector(hub: FiguresHub) -> Callable[[Runtime], BatchHandler]:
    def factory(runtime: Runtime) -> BatchHandler:
        async def handle(envelopes: list[Envelope]) -> None:
            await project_and_push(runtime, hub, envelopes)

        return handle

    return factory
