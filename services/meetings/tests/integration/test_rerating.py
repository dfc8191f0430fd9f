"""Ratings that recalculate themselves (without a broker: the consumers' use cases are called directly).

The triggers end to end through a real nats-server are in test_rerating_over_nats.py."""
from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import select

from shared.consumer import Envelope
from shared.events import (
    MemberAdmitted, MemberExempted, MemberExemptionEnded, MembershipEnded, MemberTemporarilyTransferred,
    MemberTransferred, OrganizationMoved, StatisticalProfile, decode,
)
from shared.uow import UnitOfWork

from meetings import ratings, usecases
from meetings.models import MeetingRating, RerateJob, Rubric, outbox

URL = "/meetings/api/meetings"
HELD = "2026-03-10"


async def record(client, auth, meeting_body, **overrides) -> str:
    body = meeting_body(held_on=overrides.pop("held_on", HELD), **overrides)
    response = await client.post(URL, json=body, headers=auth())
    assert response.status_code == 201, response.text
    return response.json()["id"]


def with_status(body: dict, member_id, status: str) -> dict:
    for line in body["attendance"]:
        if line["member_id"] == str(member_id):
            line.update(status=status, spoke=False)
            if status.startswith("absent"):
                line["absence_reason"] = "Đi công tác" if status == "absent_excused" else None
    return body


def rate_pending(app) -> list:
    """The rating consumer's use case over every MeetingRecorded in the outbox (its inbox makes it once each)."""
    with app.state.runtime.engine.connect() as conn:
        rows = conn.execute(outbox.select().where(outbox.c.subject == "meetings.meeting.recorded")
                            .order_by(outbox.c.seq)).all()
    batch = [Envelope(decode(r.subject, r.payload.encode()), r.subject, None, 1, i) for i, r in enumerate(rows, 1)]
    return usecases.rate_recorded_meetings(UnitOfWork(app.state.runtime.engine, outbox), batch, "meetings-rating-v1")


def rerate(app) -> int:
    return ratings.run_jobs(UnitOfWork(app.state.runtime.engine, outbox))


def rated_events(app, meeting_id: str) -> list[dict]:
    with app.state.runtime.engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.subject == "meetings.meeting.rated")
                            .order_by(outbox.c.seq)).scalars().all()
    return [p for p in map(json.loads, rows) if p["meeting_id"] == meeting_id]


def history(app, meeting_id: str) -> list[tuple]:
    with app.state.runtime.engine.connect() as conn:
        return [tuple(r) for r in conn.execute(
            select(MeetingRating.revision, MeetingRating.meeting_revision, MeetingRating.cause, MeetingRating.score,
                   MeetingRating.level, MeetingRating.expected)
            .where(MeetingRating.meeting_id == meeting_id).order_by(MeetingRating.revision))]


async def excused_meeting(client, auth, meeting_body, world, **overrides) -> str:
    """Cường absent with excuse: 2 of 3 present → attendance steps 0 + 8; 88 points, Khá."""
    body = with_status(meeting_body(held_on=overrides.pop("held_on", HELD), **overrides),
                       world.members["Lê Văn Cường"], "absent_excused")
    response = await client.post(URL, json=body, headers=auth())
    assert response.status_code == 201, response.text
    return response.json()["id"]


def exempted(world, on: date) -> MemberExempted:
    return MemberExempted(member_id=world.members["Lê Văn Cường"], organization_id=world.cell, reason="Tuổi cao",
                          effective_from=on)


async def test_a_back_dated_exemption_re_rates_the_earlier_meeting_with_a_smaller_denominator(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    assert history(app, meeting_id) == [(1, 1, "recorded", 88, "kha", 3)]
    project_events([exempted(world, date(2026, 3, 1))])
    assert rerate(app) == 1
    assert history(app, meeting_id) == [(1, 1, "recorded", 88, "kha", 3), (2, 1, "roster", 100, "tot", 2)]
    latest = rated_events(app, meeting_id)[-1]
    assert (latest["revision"], latest["expected"], latest["present"], latest["score"], latest["level"]) == (
        2, 2, 2, 100, "tot")
    assert (latest["kind"], latest["held_on"], latest["organization_id"], latest["rubric_code"]) == (
        "regular", HELD, str(world.cell), "phu-tho-100")
    shown = (await client.get(f"{URL}/{meeting_id}/ratings", headers=auth())).json()
    assert [(h["revision"], h["cause"], h["expected"]) for h in shown["history"]] == [(1, "recorded", 3), (2, "roster", 2)]
    assert (await client.get(f"{URL}/{meeting_id}", headers=auth())).json()["rating"]["revision"] == 2


async def test_an_exemption_from_the_meeting_day_re_rates_it_and_one_from_the_day_after_does_not(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    project_events([exempted(world, date(2026, 3, 11))])
    assert rerate(app) == 0 and len(history(app, meeting_id)) == 1
    project_events([exempted(world, date(2026, 3, 10))])
    assert rerate(app) == 1 and history(app, meeting_id)[-1][5] == 2


async def test_the_same_roster_event_twice_re_rates_once_and_the_jobs_finish(
        app, client, world, auth, meeting_body, project_events, counts):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    event = exempted(world, date(2026, 1, 1))
    assert project_events([event]) == 1 and project_events([event]) == 0
    assert rerate(app) == 1 and rerate(app) == 0
    assert len(history(app, meeting_id)) == 2 and len(rated_events(app, meeting_id)) == 2
    with app.state.runtime.engine.connect() as conn:
        assert conn.execute(select(RerateJob.done_at.is_(None))).scalars().all() == [False]


async def test_a_back_dated_end_of_exemption_counts_the_member_again(
        app, client, world, auth, meeting_body, project_events):
    project_events([exempted(world, date(2026, 1, 1))])
    meeting_id = await record(client, auth, meeting_body, attendance=[
        {"member_id": str(world.members[n]), "status": "present", "spoke": True}
        for n in ("Nguyễn Văn An", "Trần Thị Bình")] + [
        {"member_id": str(world.members["Lê Văn Cường"]), "status": "exempt"}])
    rate_pending(app)
    assert history(app, meeting_id)[-1][3:] == (100, "tot", 2)
    project_events([MemberExemptionEnded(member_id=world.members["Lê Văn Cường"], organization_id=world.cell,
                                         effective_from=date(2026, 3, 1))])
    assert rerate(app) == 0  # the sheet says exempt and the roll no longer does: the sheet stands (README)
    roster = (await client.get(f"/meetings/api/cells/{world.cell}/roster", params={"on": "2026-03-10"},
                               headers=auth())).json()["members"]
    assert {m["full_name"]: m["standing"] for m in roster}["Lê Văn Cường"] == "active"


async def test_a_member_away_on_a_temporary_transfer_is_out_of_the_home_denominator_and_shown_away(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    project_events([MemberTemporarilyTransferred(member_id=world.members["Lê Văn Cường"], home_organization_id=world.cell,
                                                 host_organization_id=world.other_cell, effective_from=date(2026, 2, 1),
                                                 until=date(2026, 8, 1))])
    assert rerate(app) == 1 and history(app, meeting_id)[-1][5] == 2
    home = (await client.get(f"/meetings/api/cells/{world.cell}/roster", params={"on": "2026-03-10"},
                             headers=auth())).json()["members"]
    assert {m["full_name"]: m["standing"] for m in home}["Lê Văn Cường"] == "away"
    host = (await client.get(f"/meetings/api/cells/{world.other_cell}/roster", params={"on": "2026-03-10"},
                             headers=auth("province", world.province))).json()["members"]
    assert [m["full_name"] for m in host] == ["Phạm Thị Dung"]  # the host cell does not count them
    after = (await client.get(f"/meetings/api/cells/{world.cell}/roster", params={"on": "2026-08-01"},
                              headers=auth())).json()["members"]
    assert {m["full_name"]: m["standing"] for m in after}["Lê Văn Cường"] == "active"


async def test_a_back_dated_transfer_out_or_end_of_membership_takes_the_member_off_the_roll(
        app, client, world, auth, meeting_body, project_events):
    first = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    project_events([MemberTransferred(member_id=world.members["Lê Văn Cường"], from_organization_id=world.cell,
                                      to_organization_id=world.other_cell, effective_from=date(2026, 3, 1))])
    assert rerate(app) == 1 and history(app, first)[-1][3:] == (100, "tot", 2)
    other = (await client.get(f"/meetings/api/cells/{world.other_cell}/roster", params={"on": "2026-03-10"},
                              headers=auth("province", world.province))).json()["members"]
    assert sorted(m["full_name"] for m in other) == ["Lê Văn Cường", "Phạm Thị Dung"]
    project_events([MembershipEnded(member_id=world.members["Trần Thị Bình"], organization_id=world.cell,
                                    reason="exited", effective_from=date(2026, 3, 5))])
    assert rerate(app) == 1 and history(app, first)[-1][5] == 1


async def test_a_back_dated_admission_enlarges_the_denominator(app, client, world, auth, meeting_body, project_events):
    meeting_id = await record(client, auth, meeting_body)
    rate_pending(app)
    profile = StatisticalProfile(sex="female", date_of_birth=date(1999, 9, 9))
    project_events([MemberAdmitted(member_id=uuid.uuid4(), organization_id=world.cell, full_name="Đỗ Thị Hoa",
                                   profile=profile, decision_date=date(2026, 2, 20), ceremony_date=date(2026, 3, 1),
                                   effective_from=date(2026, 3, 1))])
    assert rerate(app) == 1
    # 3 of 4 present: 75 % → 4 of 12 attendance points; 100 − 8 = 92, still Tốt, now with expected 4
    assert history(app, meeting_id)[-1][3:] == (92, "tot", 4)


async def test_a_cell_moved_under_another_committee_is_re_rated_under_that_lineage_s_rubric(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await record(client, auth, meeting_body)
    rate_pending(app)
    strict = _stricter(app, code="ubnd-tinh", scope=world.other_committee)
    assert (await client.post("/meetings/api/rubrics", json=strict, headers=auth("province", world.province))
            ).status_code == 201
    assert rerate(app) == 0  # the other committee's rubric does not reach this cell …
    project_events([OrganizationMoved(organization_id=world.cell, parent_id=world.other_committee,
                                      effective_from=date(2026, 3, 1))])
    assert rerate(app) == 1  # … until the cell moves under it
    assert rated_events(app, meeting_id)[-1]["rubric_code"] == "ubnd-tinh"


def _stricter(app, *, code: str, scope, tot_from: float = 101, effective_from: str = "2026-01-01",
              effective_to: str | None = None) -> dict:
    with app.state.runtime.engine.connect() as conn:
        definition = conn.execute(select(Rubric.definition).where(Rubric.code == "phu-tho-100")).scalar_one()
    bands = [{**b, "min": tot_from} if b["level"] == "tot" else {**b, "max": tot_from} if b["level"] == "kha" else b
             for b in definition["bands"]]
    return {"code": code, "definition": {**definition, "bands": bands}, "effective_from": effective_from,
            "effective_to": effective_to, "scope_org_id": str(scope) if scope else None}


async def test_a_new_rubric_version_for_a_past_period_re_rates_every_meeting_it_now_rates(
        app, client, world, auth, meeting_body):
    inside = await record(client, auth, meeting_body, held_on="2026-03-10")
    later = await record(client, auth, meeting_body, held_on="2026-06-10")
    before = await record(client, auth, meeting_body, held_on="2025-12-10")
    elsewhere_body = meeting_body(organization_id=str(world.other_cell), attendance=[
        {"member_id": str(world.members["Phạm Thị Dung"]), "status": "present", "spoke": True}])
    response = await client.post(URL, json=elsewhere_body, headers=auth("secretary", world.other_cell))
    elsewhere = response.json()["id"]
    rate_pending(app)
    body = _stricter(app, code="khoi-co-quan", scope=world.committee, tot_from=100.5, effective_to="2026-05-31")
    response = await client.post("/meetings/api/rubrics", json=body, headers=auth("committee", world.committee))
    assert response.status_code == 201, response.text
    assert (response.json()["version"], response.json()["created_by"]) == (1, "bithu")
    assert rerate(app) == 1
    assert history(app, inside)[-1][2:5] == ("rubric", 100, "kha")
    assert [len(history(app, m)) for m in (later, before, elsewhere)] == [1, 1, 1]
    assert rated_events(app, inside)[-1]["rubric_code"] == "khoi-co-quan"
    again = await client.post("/meetings/api/rubrics", json={**body, "effective_to": None},
                              headers=auth("committee", world.committee))
    assert again.json()["version"] == 2
    assert rerate(app) == 2  # v2 (open-ended) now rates March and June; December 2025 stays under phu-tho-100
    assert [len(history(app, m)) for m in (inside, later, before)] == [3, 2, 1]
    assert [e["rubric_version"] for e in rated_events(app, inside)] == [1, 1, 2]


async def test_an_amendment_is_re_rated_with_a_higher_revision_after_earlier_re_ratings(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    project_events([exempted(world, date(2026, 1, 1))])
    rerate(app)
    body = with_status(meeting_body(checklist={"prep.content_prepared": True}), world.members["Lê Văn Cường"], "exempt")
    response = await client.put(f"{URL}/{meeting_id}", json=body, headers=auth())
    assert response.status_code == 200 and response.json()["revision"] == 2
    rate_pending(app)
    assert history(app, meeting_id)[-1][:3] == (3, 2, "amended")
    assert rated_events(app, meeting_id)[-1]["revision"] == 3
    same = await client.put(f"{URL}/{meeting_id}", json=body, headers=auth())
    assert same.json()["revision"] == 2  # an identical amendment is not a new revision


async def test_an_amendment_is_validated_and_checked_against_the_callers_subtree(app, client, world, auth, meeting_body):
    meeting_id = await record(client, auth, meeting_body)
    bad = await client.put(f"{URL}/{meeting_id}", json=meeting_body(duration_minutes=-5), headers=auth())
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "duration_minutes"
    other = await client.put(f"{URL}/{meeting_id}", json=meeting_body(), headers=auth("secretary", world.other_cell))
    assert other.status_code == 403
    moved = await client.put(f"{URL}/{meeting_id}", json=meeting_body(organization_id=str(world.other_cell)),
                             headers=auth("province", world.province))
    assert moved.status_code == 422 and moved.json()["detail"][0]["field"] == "organization_id"
    assert (await client.get(f"{URL}/{meeting_id}", headers=auth())).json()["revision"] == 1


async def test_a_rating_revision_never_falls_below_the_meeting_revision_it_rates(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    for minutes in (100, 110):  # two amendments the rating consumer has not seen yet
        body = with_status(meeting_body(duration_minutes=minutes), world.members["Lê Văn Cường"], "absent_excused")
        assert (await client.put(f"{URL}/{meeting_id}", json=body, headers=auth())).status_code == 200
    project_events([exempted(world, date(2026, 1, 1))])
    assert rerate(app) == 1
    assert history(app, meeting_id)[-1][:3] == (3, 3, "roster")  # rates the stored revision 3, as revision 3
    assert rate_pending(app) == []  # MeetingRecorded revisions 2 and 3 are already covered


async def test_a_re_rating_job_that_keeps_failing_is_set_aside_after_five_attempts_and_can_be_retried(
        app, client, world, auth, meeting_body, project_events):
    meeting_id = await excused_meeting(client, auth, meeting_body, world)
    rate_pending(app)
    engine = app.state.runtime.engine
    with engine.begin() as conn:
        rubrics = [dict(r._mapping) for r in conn.execute(Rubric.__table__.select())]
        conn.execute(Rubric.__table__.delete())
    project_events([exempted(world, date(2026, 1, 1))])
    for attempt in range(1, ratings.MAX_ATTEMPTS):
        try:
            rerate(app)
            raise AssertionError("re-rating without a rubric must fail")
        except LookupError:
            pass
    assert rerate(app) == 0  # the fifth failure sets the job aside: nothing raised, nothing re-rated
    with engine.connect() as conn:
        job = conn.execute(select(RerateJob)).one()
    assert (job.attempts, job.failed_at is not None, "no rubric" in job.last_error) == (5, True, True)
    assert len(history(app, meeting_id)) == 1 and len(rated_events(app, meeting_id)) == 1
    with engine.begin() as conn:
        conn.execute(Rubric.__table__.insert(), rubrics)
    assert ratings.retry_failed_jobs(UnitOfWork(engine, outbox)) == 1
    assert rerate(app) == 1 and history(app, meeting_id)[-1][2:] == ("roster", 100, "tot", 2)


async def test_an_exemption_follows_the_member_to_a_new_cell_in_the_roster_and_the_rating_alike(
        app, client, world, auth, meeting_body_for, project_events):
    cuong = world.members["Lê Văn Cường"]
    project_events([exempted(world, date(2026, 1, 1)),
                    MemberTransferred(member_id=cuong, from_organization_id=world.cell,
                                      to_organization_id=world.other_cell, effective_from=date(2026, 2, 1))])
    secretary = auth("secretary", world.other_cell, "bithu2")
    roster = (await client.get(f"/meetings/api/cells/{world.other_cell}/roster", params={"on": HELD},
                               headers=secretary)).json()
    assert {m["full_name"]: m["standing"] for m in roster["members"]} == {"Phạm Thị Dung": "active",
                                                                          "Lê Văn Cường": "exempt"}
    body = meeting_body_for(world, organization_id=str(world.other_cell), held_on=HELD, attendance=[
        {"member_id": str(world.members["Phạm Thị Dung"]), "status": "present", "spoke": True},
        {"member_id": str(cuong), "status": "present", "spoke": False}])
    response = await client.post(URL, json=body, headers=secretary)
    assert response.status_code == 201, response.text
    rate_pending(app)
    assert history(app, response.json()["id"])[-1][5] == 1  # expected: Cường is out of the denominator there too
