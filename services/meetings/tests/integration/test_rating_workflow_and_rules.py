"""Rubric versions through the API (validation, roles), the endorsement workflow's role checks, absence
limits at their boundaries, and the annual rating of a cell's meetings."""
from __future__ import annotations

import json
from datetime import date

from sqlalchemy import select

from meetings.models import AbsenceAlert, MeetingRule, RatingEndorsement, RerateJob, Rubric, outbox

from .test_rerating import URL, rate_pending, with_status

RUBRICS = "/meetings/api/rubrics"


def phu_tho(app) -> dict:
    with app.state.runtime.engine.connect() as conn:
        return conn.execute(select(Rubric.definition).where(Rubric.code == "phu-tho-100")).scalar_one()


def outbox_payloads(app, subject: str) -> list[dict]:
    with app.state.runtime.engine.connect() as conn:
        return [json.loads(p) for p in conn.execute(select(outbox.c.payload).where(outbox.c.subject == subject)
                                                    .order_by(outbox.c.seq)).scalars()]


async def test_a_rubric_whose_weights_or_bands_do_not_add_up_is_refused_naming_the_field_and_nothing_is_stored(
        app, client, world, auth, counts):
    definition = phu_tho(app)
    heavy = json.loads(json.dumps(definition))
    heavy["groups"][0]["items"][0]["points"] = 6
    overlapping = {**definition, "bands": [{**b, "min": 65} if b["level"] == "kha" else b for b in definition["bands"]]}
    gap = {**definition, "bands": [{**b, "max": 85} if b["level"] == "kha" else b for b in definition["bands"]]}
    cases = [({"definition": heavy}, "definition.groups.0.items", "Tổng điểm các tiêu chí của nhóm preparation"),
             ({"definition": overlapping}, "definition.bands", "chồng lấn"),
             ({"definition": gap}, "definition.bands", "khoảng trống"),
             ({"effective_to": "2025-12-31"}, "effective_to", "Ngày hết hiệu lực")]
    rubrics_before, jobs_before = counts(app.state.runtime.engine, Rubric), counts(app.state.runtime.engine, RerateJob)
    for change, field, words in cases:
        body = {"code": "khoi", "definition": definition, "effective_from": "2026-01-01",
                "scope_org_id": str(world.committee), **change}
        response = await client.post(RUBRICS, json=body, headers=auth("committee", world.committee))
        assert response.status_code == 422, (field, response.text)
        problems = {p["field"]: p for p in response.json()["detail"]}
        assert field in problems and words in problems[field]["msg_vi"] and problems[field]["msg_en"]
    assert counts(app.state.runtime.engine, Rubric) == rubrics_before
    assert counts(app.state.runtime.engine, RerateJob) == jobs_before


async def test_only_committees_issue_rubrics_and_only_for_their_own_subtree(app, client, world, auth):
    body = {"code": "khoi", "definition": phu_tho(app), "effective_from": "2026-01-01",
            "scope_org_id": str(world.committee)}
    assert (await client.post(RUBRICS, json=body, headers=auth("secretary", world.cell))).status_code == 403
    assert (await client.post(RUBRICS, json={**body, "scope_org_id": str(world.other_committee)},
                              headers=auth("committee", world.committee))).status_code == 403
    no_scope = await client.post(RUBRICS, json={**body, "scope_org_id": None}, headers=auth("committee", world.committee))
    assert no_scope.status_code == 422 and no_scope.json()["detail"][0]["field"] == "scope_org_id"
    province_wide = await client.post(RUBRICS, json={**body, "scope_org_id": None}, headers=auth("province", world.province))
    assert province_wide.status_code == 201 and province_wide.json()["scope_org_id"] is None


async def test_the_rubric_page_lists_versions_and_offers_a_new_version_from_an_existing_one(app, client, world, auth):
    page = await client.get("/meetings/thang-diem", headers=auth("committee", world.committee))
    assert page.status_code == 200
    assert "Thang điểm 100 đánh giá chất lượng sinh hoạt chi bộ" in page.text and "mẫu" in page.text
    with app.state.runtime.engine.connect() as conn:
        base = conn.execute(select(Rubric.id).where(Rubric.code == "phu-tho-100")).scalar_one()
    form = await client.get("/meetings/thang-diem", params={"base": base}, headers=auth("committee", world.committee))
    assert "Ban hành phiên bản mới" in form.text and "Đảng bộ Khối cơ quan tỉnh" in form.text
    secretary = await client.get("/meetings/thang-diem", params={"base": base}, headers=auth())
    assert "Chỉ cấp ủy mới được ban hành thang điểm" in secretary.text
    assert (await client.get("/meetings/thang-diem", follow_redirects=False)).status_code == 303


async def _rated_meeting(app, client, auth, meeting_body) -> str:
    response = await client.post(URL, json=meeting_body(), headers=auth())
    assert response.status_code == 201
    rate_pending(app)
    return response.json()["id"]


async def test_the_endorsement_steps_run_in_order_each_by_its_role(app, client, world, auth, meeting_body):
    meeting_id = await _rated_meeting(app, client, auth, meeting_body)
    step = f"{URL}/{meeting_id}/rating"
    assert (await client.post(f"{step}/vote", json={"votes_for": 3}, headers=auth())).status_code == 409
    assert (await client.post(f"{step}/propose", json={}, headers=auth("committee", world.committee))).status_code == 403
    assert (await client.post(f"{step}/propose", json={}, headers=auth("secretary", world.other_cell))).status_code == 403
    bad = await client.post(f"{step}/propose", json={"score": 101}, headers=auth())
    assert bad.status_code == 422 and bad.json()["detail"][0]["field"] == "score"
    proposed = await client.post(f"{step}/propose", json={"score": 89.5}, headers=auth())
    assert proposed.status_code == 201 and (proposed.json()["level"], proposed.json()["by"]) == ("kha", "bithu")
    assert (await client.post(f"{step}/propose", json={}, headers=auth())).status_code == 409
    assert (await client.post(f"{step}/confirm", headers=auth("committee", world.committee))).status_code == 409
    short = await client.post(f"{step}/vote", json={"votes_for": 1, "votes_against": 2}, headers=auth())
    assert short.status_code == 422 and short.json()["detail"][0]["field"] == "votes_for"
    assert (await client.post(f"{step}/vote", json={"votes_for": 3, "votes_against": 1}, headers=auth())).status_code == 422
    assert (await client.post(f"{step}/vote", json={"votes_for": 2, "votes_against": 1}, headers=auth())).status_code == 201
    assert (await client.post(f"{step}/confirm", headers=auth())).status_code == 403
    assert (await client.post(f"{step}/confirm", headers=auth("committee", world.other_committee))).status_code == 403
    confirmed = await client.post(f"{step}/confirm", headers=auth("committee", world.committee, username="uyvien"))
    assert confirmed.status_code == 201 and confirmed.json()["by"] == "uyvien"
    events = outbox_payloads(app, "meetings.meeting.rating_endorsed")
    assert [(e["step"], e["score"], e["level"], e["by"], e["revision"]) for e in events] == [
        ("proposed", 89.5, "kha", "bithu", 1), ("voted", 89.5, "kha", "bithu", 1), ("confirmed", 89.5, "kha", "uyvien", 1)]
    shown = (await client.get(f"{URL}/{meeting_id}/ratings", headers=auth())).json()
    assert [e["step"] for e in shown["endorsements"]] == ["proposed", "voted", "confirmed"]
    assert shown["history"][-1]["score"] == 100  # reports keep counting the computed rating


async def test_a_meeting_not_yet_rated_cannot_be_proposed(app, client, auth, meeting_body, counts):
    response = await client.post(URL, json=meeting_body(), headers=auth())
    assert (await client.post(f"{URL}/{response.json()['id']}/rating/propose", json={}, headers=auth())).status_code == 409
    assert counts(app.state.runtime.engine, RatingEndorsement) == 0


async def _month(app, client, auth, meeting_body, world, month: int, name: str, status: str, **overrides) -> str:
    body = with_status(meeting_body(held_on=f"2026-{month:02d}-10", **overrides), world.members[name], status)
    response = await client.post(URL, json=body, headers=auth())
    assert response.status_code == 201, response.text
    rate_pending(app)
    return response.json()["id"]


def alerts(app) -> list[dict]:
    return outbox_payloads(app, "meetings.member.absence_limit_reached")


async def test_the_third_unexcused_absence_in_a_year_raises_the_alert_once(app, client, world, auth, meeting_body,
                                                                           counts):
    for month in (1, 2):
        await _month(app, client, auth, meeting_body, world, month, "Lê Văn Cường", "absent_unexcused")
    assert alerts(app) == []
    third = await _month(app, client, auth, meeting_body, world, 3, "Lê Văn Cường", "absent_unexcused")
    [alert] = alerts(app)
    assert (alert["rule"], alert["count"], alert["year"], alert["meeting_id"], alert["member_id"], alert["organization_id"]) \
        == ("unexcused", 3, 2026, third, str(world.members["Lê Văn Cường"]), str(world.cell))
    await _month(app, client, auth, meeting_body, world, 4, "Lê Văn Cường", "absent_unexcused")
    assert len(alerts(app)) == 1 and counts(app.state.runtime.engine, AbsenceAlert) == 1


async def test_more_than_three_excused_absences_in_a_row_raise_the_alert_and_a_present_month_resets_the_count(
        app, client, world, auth, meeting_body):
    for month, status in enumerate(["absent_excused", "absent_excused", "present", "absent_excused", "absent_excused",
                                    "absent_excused"], 1):
        await _month(app, client, auth, meeting_body, world, month, "Trần Thị Bình", status)
    assert alerts(app) == []  # three in a row at most
    seventh = await _month(app, client, auth, meeting_body, world, 7, "Trần Thị Bình", "absent_excused")
    [alert] = alerts(app)
    assert (alert["rule"], alert["count"], alert["meeting_id"]) == ("excused_consecutive", 4, seventh)


async def test_the_absence_limits_are_rule_data(app, client, world, auth, meeting_body):
    with app.state.runtime.engine.begin() as conn:
        definition = conn.execute(select(MeetingRule.definition)).scalar_one()
        conn.execute(MeetingRule.__table__.insert().values(
            code="khoi-rules", version=1, scope_org_id=str(world.committee), effective_from=date(2026, 1, 1),
            definition={**definition, "absence": {"unexcused_per_year": 1, "excused_consecutive_max": 3}}))
    await _month(app, client, auth, meeting_body, world, 1, "Lê Văn Cường", "absent_unexcused")
    assert [a["count"] for a in alerts(app)] == [1]


async def test_the_annual_rating_of_a_cell_counts_its_monthly_meetings(app, client, world, auth, meeting_body):
    for month in range(1, 8):
        await _month(app, client, auth, meeting_body, world, month, "Lê Văn Cường", "present")
    for month in range(8, 12):  # 90 points without the 10-point minutes box: still Tốt
        await _month(app, client, auth, meeting_body, world, month, "Lê Văn Cường", "present",
                     checklist={**meeting_body()["checklist"], "closing.minutes_approved": False})
    url = f"/meetings/api/cells/{world.cell}/annual-rating"
    year = (await client.get(url, params={"year": 2026}, headers=auth())).json()
    assert year["counts"]["tot"] == 11 and year["months_without_meeting"] == 1
    assert year["level"] == "trung_binh"  # December has no meeting yet: no month may be missing for Tốt or Khá
    assert [m["level"] for m in year["months"]][:11] == ["tot"] * 11 and year["months"][11]["meeting_id"] is None
    assert (await client.get(url, params={"year": 2026}, headers=auth("secretary", world.other_cell))).status_code == 403


def doubled(definition: dict) -> dict:
    """The same rubric on a 200-point scale (every maximum, band and step points doubled)."""
    scaled = json.loads(json.dumps(definition))
    scaled["max"] *= 2
    for band in scaled["bands"]:
        band.update(min=band["min"] * 2, max=band["max"] * 2 if band["max"] is not None else None)
    for group in scaled["groups"]:
        group["max"] *= 2
        for item in group["items"]:
            item["points"] *= 2
            if "steps" in item["rule"]:
                item["rule"]["steps"] = [[limit, points * 2] for limit, points in item["rule"]["steps"]]
    return scaled


async def test_a_proposed_score_above_the_rubric_in_forces_maximum_is_refused_naming_the_field(
        app, client, world, auth, meeting_body, full_record, counts):
    engine = app.state.runtime.engine
    published_before = counts(engine, outbox)
    for score in (100.5, 101):
        over = await client.post(URL, json=full_record(proposed_score=score), headers=auth())
        assert over.status_code == 422, over.text
        problem = over.json()["detail"][0]
        assert problem["field"] == "proposed_score" and "100" in problem["msg_vi"] and "tối đa" in problem["msg_vi"]
        assert "maximum" in problem["msg_en"]
    assert counts(engine, outbox) == published_before  # nothing stored, nothing published
    at_max = await client.post(URL, json=full_record(proposed_score=100), headers=auth())
    assert at_max.status_code == 201, at_max.text
    meeting_id = await _rated_meeting(app, client, auth, meeting_body)
    over = await client.post(f"{URL}/{meeting_id}/rating/propose", json={"score": 100.5}, headers=auth())
    assert over.status_code == 422 and over.json()["detail"][0]["field"] == "score"
    assert "tối đa" in over.json()["detail"][0]["msg_vi"] and counts(engine, RatingEndorsement) == 0
    assert (await client.post(f"{URL}/{meeting_id}/rating/propose", json={"score": 100},
                              headers=auth())).status_code == 201


async def test_under_a_committees_200_point_rubric_a_proposal_up_to_200_is_accepted(app, client, world, auth,
                                                                                     full_record):
    created = await client.post(RUBRICS, json={"code": "khoi-200", "definition": doubled(phu_tho(app)),
                                               "effective_from": "2026-01-01", "scope_org_id": str(world.committee)},
                                headers=auth("committee", world.committee))
    assert created.status_code == 201, created.text
    assert (await client.post(URL, json=full_record(proposed_score=200), headers=auth())).status_code == 201
    over = await client.post(URL, json=full_record(held_on="2026-03-11", proposed_score=200.5), headers=auth())
    assert over.status_code == 422 and "200" in over.json()["detail"][0]["msg_vi"]
    before = await client.post(URL, json=full_record(held_on="2025-12-10", proposed_score=150), headers=auth())
    assert before.status_code == 422  # in 2025 the province's 100-point rubric was in force
