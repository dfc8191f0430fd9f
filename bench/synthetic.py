"""Extra MeetingRecorded/MeetingRated pairs for the bench cells, published with
nats-py ``publish_async`` (deduplicated by event id), so the replay has enough
messages to measure. Dates spread over the months up to ``last_day``."""
from __future__ import annotations

import random
import uuid
from datetime import date

from nats.aio.client import Client

from shared.events import Attendance, MeetingRated, MeetingRecorded
from shared.subjects import MEETINGS_STREAM

LEVELS = ("tot", "kha", "trung_binh", "kem")


def meeting_pair(cell: str, roster: list[dict], held_on: date, rng: random.Random) -> tuple[MeetingRecorded,
                                                                                              MeetingRated]:
    attendance = tuple(Attendance(member_id=m["member_id"], status="present" if rng.random() < 0.9 else
                                  "absent_excused", spoke=rng.random() < 0.5) for m in roster)
    recorded = MeetingRecorded(meeting_id=uuid.uuid4(), organization_id=cell, held_on=held_on, kind="regular",
                               duration_minutes=rng.choice((90, 120)), attendance=attendance,
                               checklist={"prep.content_prepared": True, "conduct.on_time": True}, actor="bench")
    present = sum(a.status == "present" for a in attendance)
    rated = MeetingRated(meeting_id=recorded.meeting_id, organization_id=cell, held_on=held_on, kind="regular",
                         rubric_code="bench", rubric_version=1, score=round(rng.uniform(40, 100), 1),
                         level=rng.choice(LEVELS), present=present, expected=len(attendance),
                         speakers=sum(a.spoke and a.status == "present" for a in attendance), revision=1,
                         actor="bench")
    return recorded, rated


def _day(first: date, last: date, rng: random.Random) -> date:
    return date.fromordinal(rng.randint(first.toordinal(), last.toordinal()))


async def top_up(nc: Client, target: int, rosters: dict[str, list[dict]], first_day: date, last_day: date,
                 seed: int = 2026) -> int:
    """Publish pairs until MEETINGS_V1 holds at least ``target`` messages; returns how many were published."""
    js = nc.jetstream(publish_async_max_pending=4000)
    missing = target - (await js.stream_info(MEETINGS_STREAM.name)).state.messages
    rng, cells, published = random.Random(seed), list(rosters), 0
    while published < missing:
        cell = cells[published // 2 % len(cells)]
        for event in meeting_pair(cell, rosters[cell], _day(first_day, last_day, rng), rng):
            await js.publish_async(event.subject, event.model_dump_json().encode(),
                                   headers={"Nats-Msg-Id": str(event.event_id)})
            published += 1
    await js.publish_async_completed()
    return max(published, 0)
