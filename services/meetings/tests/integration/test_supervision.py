"""Upper-level supervision: assignments by a committee, attendance and remarks on meetings, the monthly summary."""
from __future__ import annotations

from datetime import datetime, timezone

import pytest

from meetings import record_api
from meetings.models import SupervisionAssignment

API = "/meetings/api"


async def assign(client, auth, world, username="giamsat", full_name="Đỗ Thị Hương", cells=None, status=201, **extra):
    body = {"username": username, "full_name": full_name, "cell_ids": [str(c) for c in (cells or [world.cell])],
            "valid_from": "2026-01-01", **extra}
    response = await client.post(f"{API}/committees/{world.committee}/supervisors", json=body,
                                 headers=auth("committee", world.committee, "bandangvu"))
    assert response.status_code == status, response.text
    return response.json()


async def test_the_monthly_summary_shows_each_supervisors_meetings_attendance_and_remarks(
        client, auth, world, full_record, meeting_body):
    await assign(client, auth, world)
    await assign(client, auth, world, username="kiemtra", full_name="Vũ Đức Thắng",
                 valid_from="2026-03-20")  # assigned from the 20th: the meeting of the 10th is not theirs
    attended = await client.post(f"{API}/meetings", json=full_record(held_on="2026-03-10"), headers=auth())
    missed = await client.post(f"{API}/meetings", json=meeting_body(held_on="2026-03-25"), headers=auth())
    april = await client.post(f"{API}/meetings", json=meeting_body(held_on="2026-04-02"), headers=auth())
    assert {r.status_code for r in (attended, missed, april)} == {201}
    supervisor = auth("committee", world.committee, "kiemtra")
    logged = await client.put(f"{API}/meetings/{missed.json()['id']}/supervision",
                              json={"attended": True, "remarks": "Cần chuẩn bị dự thảo nghị quyết kỹ hơn"},
                              headers=supervisor)
    assert logged.status_code == 200, logged.text
    response = await client.get(f"{API}/committees/{world.committee}/supervision-summary", params={"month": "2026-03"},
                                headers=auth("committee", world.committee, "thuongtruc"))
    assert response.status_code == 200, response.text
    summary = {s["username"]: s for s in response.json()}
    assert (summary["giamsat"]["meetings_assigned"], summary["giamsat"]["meetings_attended"]) == (2, 1)
    assert summary["giamsat"]["not_attended"] == [missed.json()["id"]]
    assert [r["remarks"] for r in summary["giamsat"]["remarks"]] == ["Chi bộ chuẩn bị chu đáo"]
    assert (summary["kiemtra"]["meetings_assigned"], summary["kiemtra"]["meetings_attended"]) == (1, 1)
    assert summary["kiemtra"]["remarks"][0] == {"meeting_id": missed.json()["id"],
                                                     "organization_id": str(world.cell), "held_on": "2026-03-25",
                                                     "remarks": "Cần chuẩn bị dự thảo nghị quyết kỹ hơn"}


async def test_a_supervisor_not_assigned_to_the_cell_cannot_log_on_its_meeting(client, auth, world, meeting_body):
    meeting = (await client.post(f"{API}/meetings", json=meeting_body(), headers=auth())).json()
    response = await client.put(f"{API}/meetings/{meeting['id']}/supervision", json={"remarks": "Tốt"},
                                headers=auth("committee", world.committee, "nguoila"))
    assert response.status_code == 403


async def test_a_cell_outside_the_committee_cannot_be_assigned_and_nothing_is_stored(app, client, auth, world, counts):
    problem = (await assign(client, auth, world, cells=[world.cell, world.other_cell], status=422))["detail"][0]
    assert problem["field"] == "cell_ids.1" and problem["msg_vi"] and problem["msg_en"]
    assert counts(app.state.runtime.engine, SupervisionAssignment) == 0


@pytest.mark.parametrize("role, org", [("committee", "other_committee"), ("secretary", "cell")])
async def test_only_the_committee_or_above_assigns_and_reads_the_summary(client, auth, world, role, org):
    headers = auth(role, getattr(world, org))
    body = {"username": "x", "full_name": "X", "cell_ids": [str(world.cell)], "valid_from": "2026-01-01"}
    assert (await client.post(f"{API}/committees/{world.committee}/supervisors", json=body,
                              headers=headers)).status_code == 403
    assert (await client.get(f"{API}/committees/{world.committee}/supervision-summary", params={"month": "2026-03"},
                             headers=headers)).status_code == 403


async def test_the_assigned_supervisor_is_notified_of_a_scheduled_meeting(app, client, auth, world):
    await assign(client, auth, world)
    app.dependency_overrides[record_api._now] = lambda: datetime(2026, 3, 1, tzinfo=timezone.utc)
    try:
        response = await client.post(f"{API}/schedules", json={
            "organization_id": str(world.cell), "starts_at": "2026-03-10T14:00:00", "place": "Phòng họp"},
            headers=auth())
    finally:
        app.dependency_overrides.clear()
    assert response.status_code == 201 and response.json()["notified"] == 4, response.text
    mine = (await client.get(f"{API}/notices/mine", headers=auth("committee", world.committee, "giamsat"))).json()
    assert len(mine) == 1 and "10/03/2026" in mine[0]["title"]
