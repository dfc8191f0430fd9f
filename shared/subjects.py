"""Subject, stream and durable-consumer names: one place, versioned.

Subjects are ``<owner>.<entity>.<event>``. Each owning service has one stream;
stream and durable names carry a version because JetStream refuses to change
filter subjects or ack policy in place (LESSONS §4.3): a new shape gets a new name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# members
ORGANIZATION_CREATED = "members.organization.created"
MEMBER_REGISTERED = "members.member.registered"
# meetings
MEETING_RECORDED = "meetings.meeting.recorded"
MEETING_RATED = "meetings.meeting.rated"

DEADLETTER_PREFIX = "deadletter"


@dataclass(frozen=True)
class StreamSpec:
    name: str
    subjects: list[str]
    owner: str
    max_age_days: int = 0  # 0 = keep forever: projections are rebuilt from the log
    duplicate_window_s: int = 2 * 3600
    description: str = ""


MEMBERS_STREAM = StreamSpec("MEMBERS_V1", ["members.>"], "members", description="Organization tree and member lifecycle facts")
MEETINGS_STREAM = StreamSpec("MEETINGS_V1", ["meetings.>"], "meetings", description="Meetings, attendance and ratings")
DEADLETTER_STREAM = StreamSpec(
    "DEADLETTER_V1", [f"{DEADLETTER_PREFIX}.>"], "shared", max_age_days=90, description="Messages a consumer gave up on"
)
ALL_STREAMS = (MEMBERS_STREAM, MEETINGS_STREAM, DEADLETTER_STREAM)


def stream_for(subject: str) -> StreamSpec:
    for spec in ALL_STREAMS:
        if any(_matches(pattern, subject) for pattern in spec.subjects):
            return spec
    raise KeyError(f"no stream captures {subject!r}")


def _matches(pattern: str, subject: str) -> bool:
    p, s = pattern.split("."), subject.split(".")
    for i, token in enumerate(p):
        if token == ">":
            return len(s) > i
        if i >= len(s) or (token != "*" and token != s[i]):
            return False
    return len(p) == len(s)


@dataclass(frozen=True)
class ConsumerSpec:
    """A durable pull consumer: ``<consumer-service>-<purpose>-v<N>``."""

    durable: str
    stream: StreamSpec
    subjects: list[str] = field(default_factory=list)
    ack_wait_s: float = 30.0
    max_deliver: int = 5
    backoff_s: tuple[float, ...] = (0.5, 2.0, 5.0, 15.0)
    batch_size: int = 256
