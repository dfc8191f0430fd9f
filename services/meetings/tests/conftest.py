"""Meetings test fixtures: an app on a fresh database, tokens, and a small seeded organization tree."""
from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date

import pytest
import httpx
from sqlalchemy import func, select

from shared.auth import issue_token
from shared.consumer import Envelope
from shared.events import MemberRegistered, OrganizationCreated
from shared.uow import UnitOfWork

from meetings import usecases
from meetings.bootstrap import create_app
from meetings.config import Settings
from meetings.models import outbox

SECRET = "meetings-test-secret-at-least-32-bytes-long"
UNREACHABLE_NATS = "nats://127.0.0.1:9"
FROM = date(2025, 7, 1)


def settings_for(database_url: str, **overrides) -> Settings:
    values = dict(database_url=database_url, nats_url=UNREACHABLE_NATS, jwt_secret=SECRET, log_json=True,
                  run_migrations=True, start_consumers=False, start_relay=False, log_level="WARNING",
                  obligation_sweep_interval_s=0)  # tests close periods explicitly (close-periods --until)
    return Settings(**{**values, **overrides})


@pytest.fixture
def app(database_url, nats_url):
    # A reachable NATS (consumers and relay off): cancelling nats-py's connect loop to an
    # unreachable server can hang the lifespan shutdown (reported to the lead).
    return create_app(settings_for(database_url, nats_url=nats_url))


@pytest.fixture
async def client(app):
    """httpx client on the ASGI app; the lifespan (which migrates the fresh database) runs around it."""
    async with app.router.lifespan_context(app):
        async with httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://chibo.test") as c:
            yield c


@dataclass
class World:
    """Tỉnh → Đảng bộ Khối A → Chi bộ Văn phòng (3 members) and a cell in another committee."""

    province: uuid.UUID = field(default_factory=uuid.uuid4)
    committee: uuid.UUID = field(default_factory=uuid.uuid4)
    cell: uuid.UUID = field(default_factory=uuid.uuid4)
    other_committee: uuid.UUID = field(default_factory=uuid.uuid4)
    other_cell: uuid.UUID = field(default_factory=uuid.uuid4)
    members: dict[str, uuid.UUID] = field(default_factory=dict)

    def org_events(self) -> list[OrganizationCreated]:
        rows = [(self.province, None, "Đảng bộ tỉnh Phú Thọ", "province"),
                (self.committee, self.province, "Đảng bộ Khối cơ quan tỉnh", "committee"),
                (self.cell, self.committee, "Chi bộ Văn phòng", "grassroots_cell"),
                (self.other_committee, self.province, "Đảng bộ UBND tỉnh", "committee"),
                (self.other_cell, self.other_committee, "Chi bộ Sở Tài chính", "grassroots_cell")]
        return [OrganizationCreated(organization_id=i, parent_id=p, name=n, kind=k, effective_from=FROM)
                for i, p, n, k in rows]

    def member_events(self) -> list[MemberRegistered]:
        names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
        events = [MemberRegistered(member_id=uuid.uuid4(), organization_id=self.cell, full_name=n, sex="male",
                                   date_of_birth=date(1980, 1, 1), status="official", effective_from=FROM)
                  for n in names]
        events.append(MemberRegistered(member_id=uuid.uuid4(), organization_id=self.other_cell, full_name="Phạm Thị Dung",
                                       sex="female", date_of_birth=date(1985, 5, 5), status="official", effective_from=FROM))
        self.members = {e.full_name: e.member_id for e in events}
        return events


def envelopes(events, correlation_id: str | None = None) -> list[Envelope]:
    return [Envelope(e, e.subject, correlation_id, 1, i) for i, e in enumerate(events, 1)]


def project(engine, events, consumer="meetings-roster-v3") -> int:
    return usecases.project_member_events(UnitOfWork(engine, outbox), envelopes(events), consumer)


@pytest.fixture
def world(app, client) -> World:
    w = World()
    project(app.state.runtime.engine, [*w.org_events(), *w.member_events()])
    return w


@pytest.fixture
def auth(world):
    """``auth(role, org)`` → headers with a bearer token."""
    def headers(role: str = "secretary", org: uuid.UUID | None = None, username: str = "bithu") -> dict[str, str]:
        token = issue_token(SECRET, username=username, role=role, org_id=org or world.cell)
        return {"Authorization": f"Bearer {token}"}

    return headers


def count(engine, table) -> int:
    with engine.connect() as conn:
        return conn.execute(select(func.count()).select_from(table)).scalar_one()


@pytest.fixture
def counts():
    return count


@pytest.fixture
def as_envelopes():
    """``as_envelopes(events, correlation_id=None)``: events as the durable consumer hands them over."""
    return envelopes


@pytest.fixture
def make_settings():
    return settings_for


@pytest.fixture
def project_events(app, client):
    """Apply member events through the roster use case (as the consumer would)."""
    return lambda events, consumer="meetings-roster-v3": project(app.state.runtime.engine, events, consumer)


@pytest.fixture
def new_world():
    return World


@pytest.fixture
def meeting_body(world, meeting_body_for):
    """``meeting_body(**overrides)``: a complete, valid record for the world's cell."""
    return lambda **overrides: meeting_body_for(world, **overrides)


@pytest.fixture
def meeting_body_for():
    """``meeting_body_for(world, **overrides)``: a complete record that earns every point."""
    def body(world: World, **overrides) -> dict:
        attendance = [{"member_id": str(world.members[n]), "status": "present", "spoke": True}
                      for n in ("Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường")]
        checklist = {k: True for k in ("prep.content_prepared", "prep.committee_met", "prep.notice_sent",
                                       "conduct.on_time", "conduct.correct_order", "conduct.full_content",
                                       "conduct.criticism", "closing.resolution_adopted", "closing.minutes_approved")}
        return {"organization_id": str(world.cell), "held_on": "2026-03-10", "kind": "regular",
                "duration_minutes": 120, "attendance": attendance, "checklist": checklist, **overrides}

    return body


@pytest.fixture
def full_record(meeting_body, world):
    """``full_record(**overrides)``: a valid record with every HD 12 field (chair, minute-taker, agenda, opinions,
    upper-level member, vote, proposed score), all members present and speaking."""
    def body(**overrides) -> dict:
        an, binh = str(world.members["Nguyễn Văn An"]), str(world.members["Trần Thị Bình"])
        fields = dict(place="Hội trường tầng 2", started_at="14:00", chair_id=an, minute_taker_id=binh,
                      agenda=[{"title": "Thông tin thời sự", "done": True},
                              {"title": "Kiểm điểm nghị quyết tháng trước", "done": True}],
                      upper_level={"username": "giamsat", "full_name": "Đỗ Thị Hương",
                                   "position": "Ủy viên Ban Thường vụ", "remarks": "Chi bộ chuẩn bị chu đáo"},
                      vote={"for": 3, "against": 0, "abstain": 0}, proposed_score=92.5,
                      resolution="Thống nhất triển khai nghị quyết")
        record = meeting_body(**{**fields, **overrides})
        record["attendance"][0]["opinion"] = "Đề nghị đẩy mạnh cải cách hành chính"
        return record

    return body
