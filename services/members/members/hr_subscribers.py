"""The inbound HR consumer: ``members-hr-v1`` on hr.employee.changed (stream HR_V1, declared by
ensure_consumer). Malformed messages and unknown change types fail decoding and are dead-lettered by
shared.consumer; a handler failure is retried, then dead-lettered."""
from __future__ import annotations

from shared.consumer import BatchHandler, Envelope
from shared.db import in_thread
from shared.service import Runtime
from shared.subjects import HR_EMPLOYEE_CHANGED, HR_STREAM, ConsumerSpec

from members import hr_usecases

HR = ConsumerSpec(hr_usecases.HR_CONSUMER, HR_STREAM, [HR_EMPLOYEE_CHANGED])


def hr_handler(runtime: Runtime) -> BatchHandler:
    async def handle(envelopes: list[Envelope]) -> None:
        applied = await in_thread(hr_usecases.apply_hr_events, runtime.engine, runtime.outbox, envelopes)
        runtime.logger.info("hr.events_applied", events=len(envelopes), members=applied)

    return handle
