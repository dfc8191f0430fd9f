"""Scheduling a meeting: at least one day's notice (HD 42/2025) unless extraordinary, in-app notices per member,
pluggable senders, MeetingScheduled through the outbox."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import select

from meetings import record_api
from meetings.models import MeetingSchedule, Notice, outbox

API = "/meetings/api"
NOW = datetime(2026, 3, 9, 7, 0, tzinfo=timezone.utc)  # 14:00 in Hà Nội


@pytest.fixture
def frozen(app):
    app.dependency_overrides[record_api._now] = lambda: NOW
    yield NOW
    app.dependency_overrides.clear()


def schedule(world, **overrides) -> dict:
    return {"organization_id": str(world.cell), "starts_at": "2026-03-10T14:00:00", "place": "Phòng họp số 1",
            "kind": "regular", "agenda": ["Thông tin thời sự", "Kiểm điểm nghị quyết tháng trước"],
            "materials": [{"name": "Dự thảo nghị quyết tháng 3.docx"},
                          {"name": "Báo cáo", "url": "https://sotaydangvien.vn/tai-lieu/1"}], **overrides}


async def test_a_meeting_exactly_one_day_ahead_is_scheduled_its_members_notified_and_meeting_scheduled_published(
        app, client, auth, world, frozen):
    response = await client.post(f"{API}/schedules", json=schedule(world), headers=auth())
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["notified"] == 3 and created["starts_at"] == "2026-03-10T07:00:00Z"
    with app.state.runtime.engine.connect() as conn:
        event = json.loads(conn.execute(select(outbox.c.payload)
                                        .where(outbox.c.subject == "meetings.meeting.scheduled")).scalar_one())
        recipients = set(conn.execute(select(Notice.member_id)).scalars())
    assert (event["meeting_id"], event["place"], event["kind"]) == (created["id"], "Phòng họp số 1", "regular")
    assert event["agenda"] == ["Thông tin thời sự", "Kiểm điểm nghị quyết tháng trước"]
    assert datetime.fromisoformat(event["starts_at"]) == datetime(2026, 3, 10, 7, 0, tzinfo=timezone.utc)
    assert recipients == {str(m) for n, m in world.members.items() if n != "Phạm Thị Dung"}
    listed = (await client.get(f"{API}/cells/{world.cell}/schedules", params={"since": "2026-03-01T00:00:00Z"},
                               headers=auth())).json()
    assert [s["id"] for s in listed] == [created["id"]] and listed[0]["materials"][1]["url"]


@pytest.mark.parametrize("starts_at, kind", [("2026-03-10T13:59:00", "regular"), ("2026-03-09T20:00:00", "thematic"),
                                             ("2026-03-09T13:00:00", "extraordinary")])
async def test_less_than_a_day_ahead_or_in_the_past_is_refused_naming_starts_at_and_nothing_is_stored(
        app, client, auth, world, frozen, counts, starts_at, kind):
    response = await client.post(f"{API}/schedules", json=schedule(world, starts_at=starts_at, kind=kind),
                                 headers=auth())
    assert response.status_code == 422, response.text
    problem = response.json()["detail"][0]
    assert problem["field"] == "starts_at" and problem["msg_vi"] and problem["msg_en"]
    engine = app.state.runtime.engine
    assert [counts(engine, t) for t in (MeetingSchedule, Notice, outbox)] == [0, 0, 0]


async def test_an_extraordinary_meeting_may_be_called_at_short_notice(client, auth, world, frozen):
    response = await client.post(f"{API}/schedules", json=schedule(world, starts_at="2026-03-09T16:00:00+07:00",
                                                                   kind="extraordinary"), headers=auth())
    assert response.status_code == 201, response.text


@pytest.mark.parametrize("role, org", [("secretary", "other_cell"), ("committee", "other_committee"),
                                       ("member", "cell")])
async def test_scheduling_outside_ones_subtree_or_as_a_member_is_forbidden(
        app, client, auth, world, frozen, counts, role, org):
    response = await client.post(f"{API}/schedules", json=schedule(world), headers=auth(role, getattr(world, org)))
    assert response.status_code == 403
    assert counts(app.state.runtime.engine, MeetingSchedule) == 0


async def test_a_member_sees_their_notices_and_marks_one_read_but_not_another_members(
        client, auth, world, frozen):
    assert (await client.post(f"{API}/schedules", json=schedule(world), headers=auth())).status_code == 201
    linked = await client.put(f"{API}/cells/{world.cell}/accounts/an",
                              json={"member_id": str(world.members["Nguyễn Văn An"])}, headers=auth())
    assert linked.status_code == 204, linked.text
    mine = (await client.get(f"{API}/notices/mine", headers=auth("member", world.cell, "an"))).json()
    assert len(mine) == 1 and mine[0]["title"] == "Thông báo sinh hoạt thường kỳ ngày 10/03/2026"
    assert "14 giờ 00" in mine[0]["body"] and "Phòng họp số 1" in mine[0]["body"] and mine[0]["read_at"] is None
    other = await client.post(f"{API}/notices/{mine[0]['id']}/read", headers=auth("member", world.cell, "binh"))
    assert other.status_code == 404
    read = await client.post(f"{API}/notices/{mine[0]['id']}/read", headers=auth("member", world.cell, "an"))
    assert read.status_code == 200 and read.json()["read_at"]
    assert (await client.get(f"{API}/notices/mine", params={"unread": True},
                             headers=auth("member", world.cell, "an"))).json() == []


async def test_an_account_is_linked_only_to_a_member_on_the_cells_roster(client, auth, world):
    response = await client.put(f"{API}/cells/{world.cell}/accounts/dung",
                                json={"member_id": str(world.members["Phạm Thị Dung"])}, headers=auth())
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "member_id"


class Recording:
    def __init__(self) -> None:
        self.sent = []

    def send(self, message) -> None:
        self.sent.append(message)


class Broken:
    def send(self, message) -> None:
        raise ConnectionError("SMS gateway down")


async def test_other_channels_plug_in_as_senders_and_a_failing_one_does_not_undo_the_schedule(
        app, client, auth, world, frozen, counts):
    recording = Recording()
    app.state.notice_senders = [Broken(), recording]
    response = await client.post(f"{API}/schedules", json=schedule(world), headers=auth())
    assert response.status_code == 201, response.text
    assert sorted(m.member_id for m in recording.sent) == sorted(m for n, m in world.members.items()
                                                                 if n != "Phạm Thị Dung")
    assert counts(app.state.runtime.engine, Notice) == 3
