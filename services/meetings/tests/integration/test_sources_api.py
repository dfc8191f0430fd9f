"""GET /meetings/api/sources/meetings: the source records of the reports' consistency check, role-checked."""
from __future__ import annotations

URL = "/meetings/api/sources/meetings"
MARCH = {"from": "2026-03-01", "to": "2026-03-31"}


async def test_a_committee_reads_the_meetings_held_in_its_subtree_with_their_attendance_counts(
        client, auth, meeting_body, world):
    recorded = await client.post("/meetings/api/meetings", json=meeting_body(), headers=auth())
    assert recorded.status_code == 201, recorded.text
    body = recorded.json()
    response = await client.get(URL, params={"org_id": str(world.committee), "from": body["held_on"],
                                             "to": body["held_on"]}, headers=auth("committee", world.committee))
    assert response.status_code == 200, response.text
    [meeting] = response.json()["meetings"]
    statuses = [a["status"] for a in body["attendance"]]
    assert (meeting["meeting_id"], meeting["organization_id"], meeting["held_on"], meeting["kind"]) == (
        body["id"], str(world.cell), body["held_on"], body["kind"])
    assert (meeting["present"], meeting["expected"]) == (statuses.count("present"),
                                                         len(statuses) - statuses.count("exempt"))
    other = await client.get(URL, params={"org_id": str(world.other_committee), "from": body["held_on"],
                                          "to": body["held_on"]}, headers=auth("province", world.province))
    assert other.json()["meetings"] == []


async def test_a_secretary_may_not_read_source_records(client, auth, world):
    response = await client.get(URL, params={"org_id": str(world.cell), **MARCH}, headers=auth())
    assert response.status_code == 403


async def test_a_committee_may_not_read_another_committees_subtree(client, auth, world):
    response = await client.get(URL, params={"org_id": str(world.other_committee), **MARCH},
                                headers=auth("committee", world.committee))
    assert response.status_code == 403
