"""Subject, stream and durable-consumer names: one place, versioned.

Subjects are ``<owner>.<entity>.<event>``. Each owning service has one stream;
stream and durable names carry a version because JetStream refuses to change
filter subjects or ack policy in place (LESSONS §4.3): a new shape gets a new name.
"""
from __future__ import annotations

from dataclasses import dataclass, field

# members: the organization tree
ORGANIZATION_CREATED = "members.organization.created"
ORGANIZATION_RENAMED = "members.organization.renamed"
ORGANIZATION_RECLASSIFIED = "members.organization.reclassified"
ORGANIZATION_MOVED = "members.organization.moved"
ORGANIZATION_DISSOLVED = "members.organization.dissolved"
ORGANIZATION_GRADED = "members.organization.graded"
# members: the member lifecycle
MEMBER_REGISTERED = "members.member.registered"
MEMBER_ADMITTED = "members.member.admitted"
MEMBER_PROFILE_CHANGED = "members.member.profile_changed"
MEMBER_MADE_OFFICIAL = "members.member.made_official"
MEMBER_TRANSFERRED = "members.member.transferred"
MEMBER_TRANSFER_RECEIVED = "members.member.transfer_received"
MEMBER_TEMPORARILY_TRANSFERRED = "members.member.temporarily_transferred"
MEMBER_TEMPORARY_TRANSFER_ENDED = "members.member.temporary_transfer_ended"
MEMBER_EXEMPTED = "members.member.exempted"
MEMBER_EXEMPTION_ENDED = "members.member.exemption_ended"
MEMBERSHIP_ENDED = "members.member.membership_ended"
PARTY_CARD_ISSUED = "members.member.card_issued"
BADGE_AWARDED = "members.member.badge_awarded"
MEMBER_GRADED = "members.member.graded"
REMOVAL_REVIEW_RAISED = "members.member.removal_review_raised"
FEES_RECORDED = "members.fees.recorded"
# meetings
MEETING_SCHEDULED = "meetings.meeting.scheduled"
MEETING_RECORDED = "meetings.meeting.recorded"
MEETING_RATED = "meetings.meeting.rated"
MEETING_RATING_ENDORSED = "meetings.meeting.rating_endorsed"
MEETING_OBLIGATION_CLOSED = "meetings.obligation.closed"
ABSENCE_LIMIT_REACHED = "meetings.member.absence_limit_reached"
# inbound from the provincial HR system (an external publisher; members declares and reads its stream)
HR_EMPLOYEE_CHANGED = "hr.employee.changed"

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
HR_STREAM = StreamSpec("HR_V1", ["hr.>"], "hr", description="Change events from the provincial HR system (inbound)")
DEADLETTER_STREAM = StreamSpec(
    "DEADLETTER_V1", [f"{DEADLETTER_PREFIX}.>"], "shared", max_age_days=90, description="Messages a consumer gave up on"
)
ALL_STREAMS = (MEMBERS_STREAM, MEETINGS_STREAM, HR_STREAM, DEADLETTER_STREAM)


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
