"""The HD 12 / HD 42 record: chair, minute-taker, agenda, speakers, upper-level member, vote, proposed score."""
from __future__ import annotations

import json
import uuid

import pytest
from sqlalchemy import select

from meetings.models import Meeting, MeetingAttendance, SupervisionVisit, outbox

URL = "/meetings/api/meetings"


async def test_the_full_record_is_stored_shown_and_published_with_the_upper_level_member(
        app, client, auth, full_record, world):
    body = full_record()
    response = await client.post(URL, json=body, headers=auth())
    assert response.status_code == 201, response.text
    shown = (await client.get(f"{URL}/{response.json()['id']}", headers=auth())).json()
    assert shown["chair_id"] == body["chair_id"] and shown["minute_taker_id"] == body["minute_taker_id"]
    assert shown["place"] == "Hội trường tầng 2" and shown["started_at"] == "14:00:00"
    assert [a["title"] for a in shown["agenda"]] == ["Thông tin thời sự", "Kiểm điểm nghị quyết tháng trước"]
    assert shown["vote"] == {"for": 3, "against": 0, "abstain": 0} and shown["proposed_score"] == 92.5
    assert shown["upper_level"]["remarks"] == "Chi bộ chuẩn bị chu đáo" and shown["warnings"] == []
    opinions = {a["member_id"]: a["opinion"] for a in shown["attendance"]}
    assert opinions[str(world.members["Nguyễn Văn An"])] == "Đề nghị đẩy mạnh cải cách hành chính"
    assert opinions[str(world.members["Lê Văn Cường"])] is None
    engine = app.state.runtime.engine
    with engine.connect() as conn:
        event = json.loads(conn.execute(select(outbox.c.payload)).scalar_one())
        visit = conn.execute(select(SupervisionVisit)).one()
    assert event["upper_level_attended"] is True
    assert (visit.username, visit.attended, visit.remarks) == ("giamsat", True, "Chi bộ chuẩn bị chu đáo")


async def test_a_retry_of_the_full_record_under_its_id_returns_it_and_a_changed_one_is_refused(
        client, auth, full_record):
    body = full_record(id=str(uuid.uuid4()))
    assert (await client.post(URL, json=body, headers=auth())).status_code == 201
    assert (await client.post(URL, json=body, headers=auth())).status_code == 200
    changed = {**body, "vote": {"for": 2, "against": 1, "abstain": 0}}
    assert (await client.post(URL, json=changed, headers=auth())).status_code == 409


@pytest.mark.parametrize("kind, minutes, warned", [
    ("regular", 89, True), ("regular", 90, False), ("combined", 119, True), ("combined", 120, False),
    ("thematic", 90, False)])
async def test_a_short_meeting_is_stored_with_a_bilingual_warning_at_the_minimum(
        client, auth, meeting_body, kind, minutes, warned):
    response = await client.post(URL, json=meeting_body(kind=kind, duration_minutes=minutes), headers=auth())
    assert response.status_code == 201, response.text
    warnings = response.json()["warnings"]
    assert bool(warnings) is warned
    if warned:
        assert warnings[0]["field"] == "duration_minutes" and "phút" in warnings[0]["msg_vi"]


def _absent(body, index: int = 2) -> dict:
    body["attendance"][index] = {**body["attendance"][index], "status": "absent_excused", "spoke": False,
                                 "absence_reason": "Ốm"}
    return body


REJECTIONS = {
    "chair absent": (lambda b, w: _absent(b(chair_id=str(w.members["Lê Văn Cường"]))), "chair_id"),
    "minute-taker not on the roster": (lambda b, w: b(minute_taker_id=str(uuid.uuid4())),
                                       "minute_taker_id"),
    "opinion of a silent member": (lambda b, w: _silent_with_opinion(b()), "attendance.1.opinion"),
    "more votes than members present": (lambda b, w: _absent(b()), "vote"),
    "negative vote": (lambda b, w: b(vote={"for": -1, "against": 0, "abstain": 0}), "vote.for"),
}


def _silent_with_opinion(body) -> dict:
    body["attendance"][1].update(spoke=False, opinion="Nhất trí")
    return body


@pytest.mark.parametrize("case", REJECTIONS)
async def test_an_inconsistent_record_is_rejected_bilingually_naming_the_field_and_nothing_is_stored(
        app, client, auth, full_record, world, counts, case):
    make, field = REJECTIONS[case]
    engine = app.state.runtime.engine
    response = await client.post(URL, json=make(full_record, world), headers=auth())
    assert response.status_code == 422, response.text
    problem = next(d for d in response.json()["detail"] if d["field"] == field)
    assert problem["msg_vi"] and problem["msg_en"]
    assert [counts(engine, t) for t in (outbox, Meeting, MeetingAttendance, SupervisionVisit)] == [0, 0, 0, 0]
