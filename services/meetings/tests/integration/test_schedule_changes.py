"""Rescheduling a meeting (members notified again, again a day ahead unless extraordinary, MeetingScheduled again
under the same id) and cancelling it with a reason (members notified); both role- and subtree-checked."""
from __future__ import annotations

import json
from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from meetings import record_api
from meetings.models import MeetingSchedule, Notice, outbox

from .test_schedules import NOW, schedule

API = "/meetings/api"


@pytest.fixture
def clock_at(app):
    """``clock_at(moment)`` fixes the schedules' "now"; NOW (14:00 on 9 March in Hà Nội) to begin with."""
    def set_now(moment: datetime) -> None:
        app.dependency_overrides[record_api._now] = lambda: moment

    set_now(NOW)
    yield set_now
    app.dependency_overrides.clear()


async def scheduled(client, auth, world, **overrides) -> dict:
    response = await client.post(f"{API}/schedules", json=schedule(world, starts_at="2026-03-12T14:00:00", **overrides),
                                 headers=auth())
    assert response.status_code == 201, response.text
    return response.json()


def scheduled_events(app) -> list[dict]:
    with app.state.runtime.engine.connect() as conn:
        return [json.loads(p) for p in conn.execute(select(outbox.c.payload).where(
            outbox.c.subject == "meetings.meeting.scheduled").order_by(outbox.c.seq)).scalars()]


def notices_titled(app, words: str) -> list[Notice]:
    with app.state.runtime.engine.connect() as conn:
        return [n for n in conn.execute(select(Notice)).all() if words in n.title]


def state(app, counts) -> tuple:
    engine = app.state.runtime.engine
    with engine.connect() as conn:
        row = conn.execute(select(MeetingSchedule.starts_at, MeetingSchedule.place, MeetingSchedule.revision,
                                  MeetingSchedule.cancelled_at)).one()
    return tuple(row), counts(engine, Notice), counts(engine, outbox)


async def test_a_rescheduled_meeting_notifies_its_members_again_and_publishes_meeting_scheduled_under_the_same_id(
        app, client, auth, world, clock_at):
    created = await scheduled(client, auth, world)
    moved = await client.patch(f"{API}/schedules/{created['id']}",
                               json={"starts_at": "2026-03-13T08:00:00", "place": "Hội trường B"}, headers=auth())
    assert moved.status_code == 200, moved.text
    body = moved.json()
    assert (body["revision"], body["notified"], body["starts_at"], body["place"]) == (
        2, 3, "2026-03-13T01:00:00Z", "Hội trường B")
    first, second = scheduled_events(app)
    assert first["meeting_id"] == second["meeting_id"] == created["id"]
    assert datetime.fromisoformat(second["starts_at"]) == datetime(2026, 3, 13, 1, 0, tzinfo=timezone.utc)
    assert second["place"] == "Hội trường B" and second["agenda"] == first["agenda"]
    again = notices_titled(app, "Thay đổi lịch sinh hoạt thường kỳ ngày 13/03/2026")
    assert {n.member_id for n in again} == {str(m) for n, m in world.members.items() if n != "Phạm Thị Dung"}
    assert all("8 giờ 00" in n.body and "Hội trường B" in n.body for n in again)


@pytest.mark.parametrize("starts_at, kind, status", [
    ("2026-03-10T14:00:00", "regular", 200),  # exactly one day ahead of now
    ("2026-03-10T13:59:00", "regular", 422),  # a minute less
    ("2026-03-09T16:00:00", "extraordinary", 200),  # an extraordinary meeting may be moved at short notice
    ("2026-03-09T13:59:00", "extraordinary", 422),  # but never into the past
])
async def test_a_new_time_must_again_be_a_day_ahead_unless_extraordinary_and_a_refusal_changes_nothing(
        app, client, auth, world, clock_at, counts, starts_at, kind, status):
    created = await scheduled(client, auth, world, kind=kind)
    before = state(app, counts)
    response = await client.patch(f"{API}/schedules/{created['id']}", json={"starts_at": starts_at}, headers=auth())
    assert response.status_code == status, response.text
    if status == 422:
        problem = response.json()["detail"][0]
        assert problem["field"] == "starts_at" and problem["msg_vi"] and problem["msg_en"]
        assert state(app, counts) == before
    else:
        assert response.json()["revision"] == 2 and len(scheduled_events(app)) == 2


async def test_moving_only_the_place_renotifies_and_an_unchanged_body_notifies_nobody(
        app, client, auth, world, clock_at, counts):
    created = await scheduled(client, auth, world)
    place = await client.patch(f"{API}/schedules/{created['id']}", json={"place": "Nhà văn hóa khu 3"}, headers=auth())
    assert place.status_code == 200 and place.json()["starts_at"] == created["starts_at"]
    assert scheduled_events(app)[-1]["place"] == "Nhà văn hóa khu 3"
    before = state(app, counts)
    same = await client.patch(f"{API}/schedules/{created['id']}", json={"place": "Nhà văn hóa khu 3"}, headers=auth())
    assert same.status_code == 200 and same.json()["revision"] == 2 and same.json()["notified"] == 0
    assert state(app, counts) == before
    empty = await client.patch(f"{API}/schedules/{created['id']}", json={}, headers=auth())
    assert empty.status_code == 422 and empty.json()["detail"][0]["field"] == "starts_at"


async def test_a_cancelled_meeting_notifies_its_members_with_the_reason_and_can_no_longer_change(
        app, client, auth, world, clock_at, counts):
    created = await scheduled(client, auth, world)
    blank = await client.post(f"{API}/schedules/{created['id']}/cancel", json={"reason": "   "}, headers=auth())
    assert blank.status_code == 422 and blank.json()["detail"][0]["field"] == "reason"
    cancelled = await client.post(f"{API}/schedules/{created['id']}/cancel",
                                  json={"reason": "Trùng lịch họp của Đảng ủy cấp trên"}, headers=auth())
    assert cancelled.status_code == 200, cancelled.text
    shown = cancelled.json()
    assert shown["cancel_reason"] == "Trùng lịch họp của Đảng ủy cấp trên" and shown["cancelled_at"]
    told = notices_titled(app, "Hủy sinh hoạt thường kỳ ngày 12/03/2026")
    assert len(told) == 3 and all("Lý do: Trùng lịch họp của Đảng ủy cấp trên" in n.body for n in told)
    assert len(scheduled_events(app)) == 1  # no cancellation event exists in the catalogue
    listed = (await client.get(f"{API}/cells/{world.cell}/schedules", headers=auth())).json()
    assert listed[0]["cancelled_at"] and listed[0]["cancel_reason"]
    before = state(app, counts)
    assert (await client.patch(f"{API}/schedules/{created['id']}", json={"place": "Khác"},
                               headers=auth())).status_code == 409
    assert (await client.post(f"{API}/schedules/{created['id']}/cancel", json={"reason": "Lần nữa"},
                              headers=auth())).status_code == 409
    assert state(app, counts) == before


async def test_a_meeting_that_has_begun_can_be_neither_moved_nor_cancelled(app, client, auth, world, clock_at, counts):
    created = await scheduled(client, auth, world)
    clock_at(datetime(2026, 3, 12, 7, 0, tzinfo=timezone.utc))  # 14:00 on 12 March in Hà Nội: it starts now
    before = state(app, counts)
    moved = await client.patch(f"{API}/schedules/{created['id']}", json={"starts_at": "2026-03-20T14:00:00"},
                               headers=auth())
    assert moved.status_code == 409 and moved.json()["detail"][0]["msg_vi"]
    assert (await client.post(f"{API}/schedules/{created['id']}/cancel", json={"reason": "Mưa bão"},
                              headers=auth())).status_code == 409
    clock_at(datetime(2026, 3, 12, 7, 0, tzinfo=timezone.utc) - timedelta(minutes=1))
    assert (await client.post(f"{API}/schedules/{created['id']}/cancel", json={"reason": "Mưa bão"},
                              headers=auth())).status_code == 200
    assert state(app, counts)[1] == before[1] + 3


@pytest.mark.parametrize("role, org", [("secretary", "other_cell"), ("committee", "other_committee"),
                                       ("member", "cell")])
async def test_only_the_cells_secretary_or_committees_above_it_may_move_or_cancel_a_meeting(
        app, client, auth, world, clock_at, counts, role, org):
    created = await scheduled(client, auth, world)
    before = state(app, counts)
    headers = auth(role, getattr(world, org), "khac")
    assert (await client.patch(f"{API}/schedules/{created['id']}", json={"place": "Khác"},
                               headers=headers)).status_code == 403
    assert (await client.post(f"{API}/schedules/{created['id']}/cancel", json={"reason": "Không"},
                              headers=headers)).status_code == 403
    assert state(app, counts) == before
    upper = await client.patch(f"{API}/schedules/{created['id']}", json={"place": "Khác"},
                               headers=auth("committee", world.committee, "uyvien"))
    assert upper.status_code == 200


async def test_an_unknown_schedule_is_not_found(client, auth, world, clock_at):
    response = await client.patch(f"{API}/schedules/9f0c1a52-0000-4000-8000-000000000000", json={"place": "X"},
                                  headers=auth())
    assert response.status_code == 404
