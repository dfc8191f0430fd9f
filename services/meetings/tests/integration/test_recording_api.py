"""POST /meetings/api/meetings on SQLite and PostgreSQL: what is stored, what is refused (and then nothing is)."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy import select

from shared import clock

from meetings.models import Meeting, MeetingAttendance, outbox

URL = "/meetings/api/meetings"


async def test_recording_a_meeting_stores_it_and_publishes_meeting_recorded_through_the_outbox(
        app, client, auth, meeting_body, world):
    response = await client.post(URL, json=meeting_body(), headers=auth())
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["rating"] is None and body["revision"] == 1 and body["recorded_by"] == "bithu"
    assert len(body["attendance"]) == 3
    with app.state.runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.subject, outbox.c.payload)).all()
    assert [r.subject for r in rows] == ["meetings.meeting.recorded"]
    event = json.loads(rows[0].payload)
    assert (event["meeting_id"], event["revision"], event["actor"]) == (body["id"], 1, "bithu")
    assert {a["member_id"] for a in event["attendance"]} == {str(m) for n, m in world.members.items()
                                                              if n != "Phạm Thị Dung"}


@pytest.mark.parametrize("role, org", [("committee", "committee"), ("province", "province")])
async def test_upper_levels_may_record_for_cells_in_their_subtree(client, auth, meeting_body, world, role, org):
    response = await client.post(URL, json=meeting_body(), headers=auth(role, getattr(world, org)))
    assert response.status_code == 201, response.text


def _attendance_with(meeting_body, extra: dict) -> dict:
    body = meeting_body()
    body["attendance"].append(extra)
    return body


REJECTIONS = {
    "unknown organization": (lambda b, w: b(organization_id=str(uuid.uuid4())), "organization_id"),
    "not a cell": (lambda b, w: b(organization_id=str(w.committee)), "organization_id"),
    "future date": (lambda b, w: b(held_on=(date.today() + timedelta(days=2)).isoformat()), "held_on"),
    "negative duration": (lambda b, w: b(duration_minutes=-5), "duration_minutes"),
    "absurd duration": (lambda b, w: b(duration_minutes=721), "duration_minutes"),
    "stranger": (lambda b, w: _attendance_with(b, {"member_id": str(uuid.uuid4()), "status": "present"}),
                 "attendance.3.member_id"),
    "member of another cell": (lambda b, w: _attendance_with(
        b, {"member_id": str(w.members["Phạm Thị Dung"]), "status": "present"}), "attendance.3.member_id"),
    "duplicate": (lambda b, w: _attendance_with(
        b, {"member_id": str(w.members["Nguyễn Văn An"]), "status": "absent_excused"}), "attendance.3.member_id"),
    "missing roster member": (lambda b, w: b(attendance=b()["attendance"][:2]), "attendance"),
    "not on the roster yet": (lambda b, w: b(held_on="2025-06-30"), "attendance"),
    "unknown status": (lambda b, w: b(attendance=[{**a, "status": "late"} for a in b()["attendance"]]),
                       "attendance.0.status"),
}


@pytest.mark.parametrize("case", REJECTIONS)
async def test_an_invalid_record_is_rejected_bilingually_naming_the_field_and_nothing_is_stored(
        app, client, auth, meeting_body, world, counts, case):
    make, field = REJECTIONS[case]
    engine = app.state.runtime.engine
    before = counts(engine, outbox), counts(engine, Meeting), counts(engine, MeetingAttendance)
    response = await client.post(URL, json=make(meeting_body, world), headers=auth("committee", world.committee))
    assert response.status_code == 422, response.text
    problem = next(d for d in response.json()["detail"] if d["field"] == field)
    assert problem["msg_vi"] and problem["msg_en"] and problem["msg"] == f"{problem['msg_vi']} / {problem['msg_en']}"
    assert (counts(engine, outbox), counts(engine, Meeting), counts(engine, MeetingAttendance)) == before


async def test_a_missing_member_is_named_in_vietnamese(client, auth, meeting_body):
    response = await client.post(URL, json=meeting_body(attendance=meeting_body()["attendance"][:2]), headers=auth())
    assert "Lê Văn Cường" in response.json()["detail"][0]["msg_vi"]


@pytest.mark.parametrize("role, org", [
    ("secretary", "other_cell"),  # another cell's secretary
    ("committee", "other_committee"),  # a committee the cell is not under
    ("member", "cell"),  # members may read, not record
])
async def test_recording_outside_ones_subtree_or_as_a_plain_member_is_forbidden_and_stores_nothing(
        app, client, auth, meeting_body, world, counts, role, org):
    response = await client.post(URL, json=meeting_body(), headers=auth(role, getattr(world, org)))
    assert response.status_code == 403, response.text
    assert response.json()["detail"][0]["msg_vi"]
    assert counts(app.state.runtime.engine, outbox) == 0


async def test_recording_without_a_token_is_refused(client, meeting_body):
    assert (await client.post(URL, json=meeting_body())).status_code == 401


@pytest.mark.parametrize("held_on, status", [("2026-03-11", 201), ("2026-03-12", 422)])
async def test_today_is_vietnams_date_even_while_it_is_still_yesterday_in_utc(
        client, auth, meeting_body, monkeypatch, held_on, status):
    class Clock(datetime):  # 17:30 UTC on 10 March is 00:30 on 11 March in Hà Nội
        @classmethod
        def now(cls, tz=None):
            return datetime(2026, 3, 10, 17, 30, tzinfo=timezone.utc).astimezone(tz)

    monkeypatch.setattr(clock, "datetime", Clock)
    response = await client.post(URL, json=meeting_body(held_on=held_on), headers=auth())
    assert response.status_code == status, response.text
    if status == 422:
        assert response.json()["detail"][0]["field"] == "held_on"
