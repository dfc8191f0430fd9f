"""POST /meetings/api/meetings with a client-chosen id: a retry returns the stored meeting, a different body is 409."""
from __future__ import annotations

import uuid

from meetings.models import Meeting, outbox

URL = "/meetings/api/meetings"


async def test_a_retry_with_the_same_id_and_body_returns_the_stored_meeting_without_a_duplicate(
        app, client, auth, meeting_body, counts):
    body = meeting_body(id=str(uuid.uuid4()), resolution="Chi bộ thống nhất nghị quyết tháng 3.")
    first = await client.post(URL, json=body, headers=auth())
    body["attendance"].reverse()  # same record, members in another order
    again = await client.post(URL, json=body, headers=auth())
    assert (first.status_code, again.status_code) == (201, 200), again.text
    assert again.json()["id"] == first.json()["id"] == body["id"]
    assert again.json()["resolution"] == "Chi bộ thống nhất nghị quyết tháng 3."
    engine = app.state.runtime.engine
    assert (counts(engine, Meeting), counts(engine, outbox)) == (1, 1)


async def test_a_different_record_under_a_used_id_is_refused_with_409_and_nothing_changes(
        app, client, auth, meeting_body, counts):
    meeting_id = str(uuid.uuid4())
    assert (await client.post(URL, json=meeting_body(id=meeting_id), headers=auth())).status_code == 201
    response = await client.post(URL, json=meeting_body(id=meeting_id, duration_minutes=95), headers=auth())
    assert response.status_code == 409, response.text
    assert response.json()["detail"][0]["msg_vi"]
    assert (counts(app.state.runtime.engine, Meeting), counts(app.state.runtime.engine, outbox)) == (1, 1)


async def test_the_form_page_redirects_to_the_login_page_without_a_session(client):
    response = await client.get("/meetings/")
    assert response.status_code == 303 and response.headers["location"] == "/members/login?next=/meetings/"


async def test_a_secretary_gets_the_form_of_their_cell_and_a_committee_gets_the_cell_picker(client, auth, world):
    form = await client.get("/meetings/ghi-bien-ban", headers=auth())
    assert form.status_code == 200 and f'data-cell="{world.cell}"' in form.text
    pick = await client.get("/meetings/", headers=auth("committee", world.committee))
    assert "Chi bộ Văn phòng" in pick.text and "Chi bộ Sở Tài chính" not in pick.text
