"""Durable consumers of meetings: the roster projection and the asynchronous rating."""
from __future__ import annotations

from shared.consumer import BatchHandler, Envelope
from shared.db import in_thread
from shared.subjects import MEETING_RECORDED, MEETINGS_STREAM, MEMBERS_STREAM, ConsumerSpec
from shared.uow import UnitOfWork

from meetings import usecases
from meetings.models import outbox

ROSTER = ConsumerSpec("meetings-roster-v1", MEMBERS_STREAM, ["members.organization.>", "members.member.>"])
RATING = ConsumerSpec("meetings-rating-v1", MEETINGS_STREAM, [MEETING_RECORDED])


def _uow(runtime) -> UnitOfWork:
    return UnitOfWork(runtime.engine, outbox, after_commit=runtime.notify_relay)


def roster_handler(runtime, spec: ConsumerSpec = ROSTER) -> BatchHandler:
    async def handle(batch: list[Envelope]) -> None:
        await in_thread(usecases.project_member_events, _uow(runtime), batch, spec.durable)

    return handle


def rating_handler(runtime, spec: ConsumerSpec = RATING) -> BatchHandler:
    async def handle(batch: list[Envelope]) -> None:
        await in_thread(usecases.rate_recorded_meetings, _uow(runtime), batch, spec.durable)

    return handle
