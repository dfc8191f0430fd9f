"""Durable consumers of meetings (the roster projection, the asynchronous rating) and the background jobs (the
re-rating worker, the obligation sweep)."""
from __future__ import annotations

import asyncio
from datetime import timedelta

from shared.consumer import BatchHandler, Envelope
from shared import clock
from shared.db import in_thread
from shared import subjects
from shared.subjects import MEETING_RECORDED, MEETINGS_STREAM, MEMBERS_STREAM, ConsumerSpec

from meetings import obligations, ratings, usecases

# v2 (was meetings-roster-v1 on members.organization.> and members.member.>): the projection now also keeps
# admissions, transfers, temporary transfers, exemptions and exits, so it must read the stream again from the
# start under a new durable name (and its own inbox name); it lists exactly the subjects it applies.
# v3 (same subjects): OrganizationDissolved is now applied (a dissolved cell stops owing meetings); v2 had marked
# those events processed while ignoring them, so v3 reads the stream again from the start.
ROSTER = ConsumerSpec("meetings-roster-v3", MEMBERS_STREAM, [
    subjects.ORGANIZATION_CREATED, subjects.ORGANIZATION_RENAMED, subjects.ORGANIZATION_RECLASSIFIED,
    subjects.ORGANIZATION_MOVED, subjects.ORGANIZATION_DISSOLVED,
    subjects.MEMBER_REGISTERED, subjects.MEMBER_ADMITTED, subjects.MEMBER_PROFILE_CHANGED, subjects.MEMBER_MADE_OFFICIAL,
    subjects.MEMBER_TRANSFERRED, subjects.MEMBER_TRANSFER_RECEIVED, subjects.MEMBER_TEMPORARILY_TRANSFERRED,
    subjects.MEMBER_TEMPORARY_TRANSFER_ENDED, subjects.MEMBER_EXEMPTED, subjects.MEMBER_EXEMPTION_ENDED,
    subjects.MEMBERSHIP_ENDED])
RATING = ConsumerSpec("meetings-rating-v1", MEETINGS_STREAM, [MEETING_RECORDED])


_uow = usecases.runtime_uow


def roster_handler(runtime, spec: ConsumerSpec = ROSTER) -> BatchHandler:
    async def handle(batch: list[Envelope]) -> None:
        await in_thread(usecases.project_member_events, _uow(runtime), batch, spec.durable)

    return handle


def rating_handler(runtime, spec: ConsumerSpec = RATING) -> BatchHandler:
    async def handle(batch: list[Envelope]) -> None:
        await in_thread(usecases.rate_recorded_meetings, _uow(runtime), batch, spec.durable)

    return handle


RERATE_POLL_S = 0.5


async def rerate_worker(runtime) -> None:
    """Work through queued re-rating jobs (roster changes, new rubric versions); a chunk per transaction.

    A failing chunk is rolled back and retried on the next poll (with a growing pause), never skipped."""
    pause = RERATE_POLL_S
    while True:
        try:
            await in_thread(ratings.run_jobs, _uow(runtime))
            pause = RERATE_POLL_S
        except asyncio.CancelledError:
            raise
        except Exception as exc:  # noqa: BLE001  (logged; the job stays pending)
            runtime.logger.error("rerate.failed", error=repr(exc))
            pause = min(pause * 2, 30.0)
        await asyncio.sleep(pause)


def obligation_sweeper(interval_s: float):
    """A background job for ServiceSpec.background: close what ended before today, then again every interval."""
    async def sweep(runtime) -> None:
        if interval_s <= 0:
            return
        while True:
            try:
                today = clock.today()
                closed = await in_thread(obligations.close_periods, _uow(runtime), today - timedelta(days=1), today)
                if closed:
                    runtime.logger.info("obligations.closed", count=len(closed))
            except Exception as exc:  # the next round retries; nothing is half-closed (one transaction per cell)
                runtime.logger.warning("obligations.sweep_failed", error=repr(exc))
            await asyncio.sleep(interval_s)

    return sweep
