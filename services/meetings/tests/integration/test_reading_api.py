"""Reading meetings, rosters and rubrics: within the caller's subtree only."""
from __future__ import annotations

import uuid

from shared.consumer import Envelope
from shared.events import decode
from shared.uow import UnitOfWork

from meetings import usecases
from meetings.models import outbox

URL = "/meetings/api/meetings"


async def _recorded(client, auth, meeting_body, **overrides) -> dict:
    response = await client.post(URL, json=meeting_body(**overrides), headers=auth())
    assert response.status_code == 201, response.text
    return response.json()


def _rate_pending(app) -> None:
    """Run the rating use case over the outbox's MeetingRecorded events, as the consumer would."""
    with app.state.runtime.engine.connect() as conn:
        rows = conn.execute(outbox.select().where(outbox.c.subject == "meetings.meeting.recorded")).all()
    events = [Envelope(decode(r.subject, r.payload.encode()), r.subject, None, 1, i) for i, r in enumerate(rows, 1)]
    usecases.rate_recorded_meetings(UnitOfWork(app.state.runtime.engine, outbox), events, "meetings-rating-v1")


async def test_a_meeting_shows_its_rating_once_it_is_computed(app, client, auth, meeting_body):
    meeting = await _recorded(client, auth, meeting_body)
    assert (await client.get(f"{URL}/{meeting['id']}", headers=auth())).json()["rating"] is None
    _rate_pending(app)
    rating = (await client.get(f"{URL}/{meeting['id']}", headers=auth())).json()["rating"]
    assert (rating["score"], rating["level"], rating["rubric_code"], rating["revision"]) == (100, "tot", "phu-tho-100", 1)
    assert (rating["present"], rating["expected"], rating["speakers"]) == (3, 3, 3)
    assert sum(i["max_points"] for i in rating["breakdown"]) == 100


async def test_a_meeting_outside_the_callers_subtree_is_forbidden_and_an_unknown_one_is_not_found(
        client, auth, meeting_body, world):
    meeting = await _recorded(client, auth, meeting_body)
    other = await client.get(f"{URL}/{meeting['id']}", headers=auth("secretary", world.other_cell))
    assert other.status_code == 403
    assert (await client.get(f"{URL}/{uuid.uuid4()}", headers=auth())).status_code == 404
    assert (await client.get(f"{URL}/{meeting['id']}", headers=auth("member", world.cell))).status_code == 200


async def test_listing_covers_the_organizations_subtree_and_filters_by_date(client, auth, meeting_body, world):
    march = await _recorded(client, auth, meeting_body, held_on="2026-03-10")
    april = await _recorded(client, auth, meeting_body, held_on="2026-04-07")
    committee = auth("committee", world.committee)
    listed = (await client.get(URL, headers=committee)).json()
    assert [m["id"] for m in listed] == [april["id"], march["id"]]
    only_march = await client.get(URL, params={"organization_id": str(world.cell), "from": "2026-03-01",
                                               "to": "2026-03-31"}, headers=committee)
    assert [m["id"] for m in only_march.json()] == [march["id"]]
    assert (await client.get(URL, headers=auth("committee", world.other_committee))).json() == []
    outside = await client.get(URL, params={"organization_id": str(world.cell)}, headers=auth("secretary", world.other_cell))
    assert outside.status_code == 403


async def test_the_roster_lists_the_cells_members_on_a_date(client, auth, world):
    url = f"/meetings/api/cells/{world.cell}/roster"
    roster = (await client.get(url, params={"on": "2026-03-01"}, headers=auth())).json()
    assert [m["full_name"] for m in roster["members"]] == ["Lê Văn Cường", "Nguyễn Văn An", "Trần Thị Bình"]
    assert roster["on"] == "2026-03-01" and roster["organization_id"] == str(world.cell)
    before = (await client.get(url, params={"on": "2025-06-30"}, headers=auth())).json()
    assert before["members"] == []
    assert (await client.get(url, headers=auth("secretary", world.other_cell))).status_code == 403
    assert (await client.get(f"/meetings/api/cells/{uuid.uuid4()}/roster", headers=auth())).status_code == 404


async def test_rubrics_are_listed_with_their_definition(client, auth):
    rubrics = {r["code"]: r for r in (await client.get("/meetings/api/rubrics", headers=auth())).json()}
    assert sorted(rubrics) == ["hd12-framework", "phu-tho-100"]
    assert rubrics["hd12-framework"]["status"] == "template"
    rubric = rubrics["phu-tho-100"]
    assert (rubric["code"], rubric["version"], rubric["scope_org_id"], rubric["status"]) == ("phu-tho-100", 1, None,
                                                                                              "in_force")
    assert rubric["definition"]["max"] == 100 and rubric["effective_to"] is None


async def test_every_route_needs_a_token(client, world):
    for url in (URL, f"{URL}/{uuid.uuid4()}", f"/meetings/api/cells/{world.cell}/roster", "/meetings/api/rubrics"):
        assert (await client.get(url)).status_code == 401, url


async def test_after_a_re_rating_the_meeting_shows_the_highest_revision(app, client, auth, meeting_body):
    meeting = await _recorded(client, auth, meeting_body)
    _rate_pending(app)
    with app.state.runtime.engine.connect() as conn:
        payload = conn.execute(outbox.select().where(outbox.c.subject == "meetings.meeting.recorded")).one().payload
    first = decode("meetings.meeting.recorded", payload.encode())
    second = first.model_copy(update={"event_id": uuid.uuid4(), "revision": 2, "checklist": {}})
    usecases.rate_recorded_meetings(UnitOfWork(app.state.runtime.engine, outbox),
                                    [Envelope(second, second.subject, None, 1, 2)], "meetings-rating-v1")
    rating = (await client.get(f"{URL}/{meeting['id']}", headers=auth())).json()["rating"]
    assert (rating["revision"], rating["score"]) == (2, 35)  # attendance 20 + speakers 10 + duration 5, no boxes
