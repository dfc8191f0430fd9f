"""The lifecycle over HTTP: bad input is a bilingual 422 naming the field that changes nothing; every route
checks role and subtree; history and due lists answer."""
from __future__ import annotations

from datetime import date, timedelta

import pytest

from members import models, usecases
from members.domain import NewMember, NewOrganization
from shared.calendar import add_months
from shared import clock
from shared.auth import Principal
from shared.uow import UnitOfWork

T = clock.today()  # at collection: a run may cross midnight in Hà Nội before a test uses it
DAY = timedelta(days=1)
FUTURE = T + 7 * DAY  # still ahead of the app's today after such a midnight (T + DAY was not, at 00:00)


def admission(cell, **kw) -> dict:
    return {"full_name": "Vũ Thị Hạnh", "sex": "female", "date_of_birth": "1995-07-07", "organization_id": str(cell),
            "considered_on": str(T - 30 * DAY), "decision_date": str(T - 20 * DAY), "ceremony_date": str(T - 10 * DAY),
            "cccd": "025195004455", "ethnicity": "Kinh", "religion": "Không", "hometown": "Lâm Thao, Phú Thọ",
            "birth_name": "Vũ Thị Hạnh", "place_of_birth": "Việt Trì", "permanent_residence": "Việt Trì",
            "education_level": "12/12", "professional_level": "Thạc sĩ", "political_theory_level": "so_cap",
            "occupation": "Giáo viên", "position": "Tổ trưởng", "employer_unit": "Trường THPT Việt Trì",
            "phone": "0988000111", **kw}


def problem(response, field: str) -> dict:
    assert response.status_code == 422, response.text
    found = next(p for p in response.json()["detail"] if p["field"] == field)
    assert found["msg_vi"] and found["msg_en"] and found["msg"] == f"{found['msg_vi']} / {found['msg_en']}"
    return found


def test_an_admission_over_http_stores_the_profile_and_returns_the_event(client, engine, tree, auth):
    response = client.post("/members/api/admissions", json=admission(tree.cell),
                           headers=auth("committee", tree.committee))
    assert response.status_code == 201, response.text
    body = response.json()
    assert body["events"] == ["members.member.admitted"] and body["member"]["status"] == "probationary"
    member = client.get(f"/members/api/members/{body['member']['id']}", headers=auth("secretary", tree.cell)).json()
    assert (member["hometown"], member["employer_unit"], member["political_theory_level"]) == (
        "Lâm Thao, Phú Thọ", "Trường THPT Việt Trì", "so_cap")
    assert member["party_age_years"] == 0 and member["admission_decision_date"] == str(T - 20 * DAY)


@pytest.mark.parametrize("change,field,says", [
    ({"cccd": "02519500445"}, "cccd", "12 chữ số"),
    ({"cccd": "025185000001"}, "cccd", "đã được dùng"),  # the tree's member holds it
    ({"date_of_birth": str(FUTURE)}, "date_of_birth", "tương lai"),
    ({"date_of_birth": str(add_months(T - 30 * DAY, -17 * 12))}, "date_of_birth", "18 tuổi"),  # 17 that day
    ({"ceremony_date": str(T - 25 * DAY)}, "ceremony_date", "trước ngày quyết định"),
    ({"sex": "nam"}, "sex", "danh mục"),
])
def test_bad_admissions_are_bilingual_422s_that_change_nothing(client, engine, tree, auth, rows, change, field, says):
    before = rows(engine)
    response = client.post("/members/api/admissions", json=admission(tree.cell, **change),
                           headers=auth("province", tree.province))
    assert says in problem(response, field)["msg_vi"]
    assert rows(engine) == before


def test_a_transfer_to_a_dissolved_organization_is_a_422_on_the_target(client, engine, tree, auth, rows):
    gone = usecases.create_organization(UnitOfWork(engine, models.outbox), NewOrganization(
        name="Chi bộ Sở Nội vụ", kind="grassroots_cell", sector="administrative", effective_from=date(2026, 1, 1),
        parent_id=tree.other_committee), None).id
    usecases.dissolve_organization(UnitOfWork(engine, models.outbox), gone, date(2026, 2, 1), None)
    before = rows(engine)
    response = client.post(f"/members/api/members/{tree.member}/transfer-letter",
                           headers=auth("province", tree.province),
                           json={"to_organization_id": str(gone), "letter_issued_on": str(T)})
    assert "giải thể" in problem(response, "to_organization_id")["msg_vi"]
    assert rows(engine) == before


def test_a_profile_edit_with_a_bad_cccd_or_future_birth_date_changes_nothing(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.patch(f"/members/api/members/{tree.member}", headers=auth("secretary", tree.cell),
                            json={"cccd": "0251850000012", "date_of_birth": str(FUTURE)})
    problem(response, "cccd")
    problem(response, "date_of_birth")
    assert rows(engine) == before
    ok = client.patch(f"/members/api/members/{tree.member}", headers=auth("secretary", tree.cell),
                      json={"religion": "Phật giáo"})
    assert ok.status_code == 200 and ok.json()["events"] == ["members.member.profile_changed"]
    history = client.get(f"/members/api/members/{tree.member}/history", headers=auth("secretary", tree.cell)).json()
    assert history["items"][-1]["before"] == {"religion": None}
    assert history["items"][-1]["after"] == {"religion": "Phật giáo"}
    assert history["items"][-1]["actor"] == "test-secretary"


def test_a_command_invalid_in_the_members_state_says_why(client, engine, tree, auth, rows):
    admitted = client.post("/members/api/admissions", json=admission(tree.cell),
                           headers=auth("committee", tree.committee)).json()["member"]["id"]
    before = rows(engine)
    response = client.post(f"/members/api/members/{admitted}/party-card", headers=auth("committee", tree.committee),
                           json={"card_number": "08123456", "issued_on": str(T)})
    found = problem(response, "status")
    assert "dự bị" in found["msg_vi"] and "probationary" in found["msg_en"]
    response = client.post(f"/members/api/members/{admitted}/official", headers=auth("committee", tree.committee),
                           json={"decision_date": str(T)})
    assert "Chưa đủ 12 tháng" in problem(response, "decision_date")["msg_vi"]
    assert rows(engine) == before


@pytest.mark.parametrize("method,path,body", [
    ("post", "/members/api/admissions", None),
    ("post", "/members/api/members/{m}/official", {"decision_date": str(T)}),
    ("post", "/members/api/members/{m}/party-card", {"card_number": "08123456", "issued_on": str(T)}),
    ("post", "/members/api/members/{m}/end", {"reason": "expelled", "effective_from": str(T),
                                              "decision_date": str(T)}),
    ("post", "/members/api/organizations/{c}/rename", {"name": "Tên mới", "effective_from": str(T)}),
])
def test_a_secretary_cannot_take_committee_decisions(client, engine, tree, auth, rows, method, path, body):
    before = rows(engine)
    response = getattr(client, method)(path.format(m=tree.member, c=tree.cell), json=body or admission(tree.cell),
                                       headers=auth("secretary", tree.cell))
    assert response.status_code == 403, response.text
    assert rows(engine) == before


@pytest.mark.parametrize("path", [
    "/members/api/members/{m}", "/members/api/members/{m}/history",
    "/members/api/members/{m}/organization?on=2026-02-01",
    "/members/api/organizations/{c}/on?on=2026-02-01", "/members/api/organizations/{c}/structure-warnings",
    "/members/api/organizations/{c}/probation-due", "/members/api/organizations/{c}/badges-due",
    "/members/api/organizations/{c}/transfers-pending",
])
def test_reads_stay_inside_the_callers_subtree(client, tree, auth, path):
    url = path.format(m=tree.member, c=tree.cell)
    assert client.get(url, headers=auth("committee", tree.other_committee)).status_code == 403
    assert client.get(url, headers=auth("secretary", tree.other_cell)).status_code == 403
    assert client.get(url, headers=auth("secretary", tree.cell)).status_code == 200
    assert client.get(url).status_code == 401


def test_the_due_lists_over_http(client, engine, tree, auth):
    overdue_ceremony = add_months(T, -12) - 60 * DAY  # a probationer entered with the existing records
    member, _ = usecases.register_member(UnitOfWork(engine, models.outbox), NewMember(
        full_name="Cao Văn Long", sex="male", date_of_birth=date(1996, 6, 6), status="probationary",
        organization_id=tree.cell, effective_from=date(2026, 1, 1), admission_decision_date=overdue_ceremony - 5 * DAY,
        admission_ceremony_date=overdue_ceremony), None)
    admitted = {"member": {"id": str(member.id)}}
    due = client.get(f"/members/api/organizations/{tree.committee}/probation-due",
                     headers=auth("committee", tree.committee)).json()
    assert [(i["member_id"], i["due"], i["overdue"]) for i in due["items"]] == [(admitted["member"]["id"], True, True)]
    made = client.post(f"/members/api/members/{admitted['member']['id']}/official",
                       headers=auth("committee", tree.committee), json={"decision_date": str(T)}).json()
    assert made["member"]["official_date"] == str(add_months(overdue_ceremony, 12))
    assert [w["field"] for w in made["warnings"]] == ["decision_date"]  # late: an explanation is due
    badges = client.get(f"/members/api/organizations/{tree.province}/badges-due",
                        headers=auth("province", tree.province)).json()
    assert date.fromisoformat(badges["award_date"]) >= T and badges["items"] == []


def test_history_on_a_date_over_http(client, engine, tree, auth):
    usecases.rename_organization(UnitOfWork(engine, models.outbox), tree.cell, "Chi bộ Văn phòng Tỉnh ủy (mới)",
                                 date(2026, 3, 1), Principal("t", "province", tree.province), today=T)
    before = client.get(f"/members/api/organizations/{tree.cell}/on?on=2026-02-28",
                        headers=auth("committee", tree.committee)).json()
    after = client.get(f"/members/api/organizations/{tree.cell}/on?on=2026-03-01",
                       headers=auth("committee", tree.committee)).json()
    assert (before["name"], after["name"]) == ("Chi bộ Văn phòng Tỉnh ủy", "Chi bộ Văn phòng Tỉnh ủy (mới)")
    assert before["parent_id"] == after["parent_id"] == str(tree.committee) and len(after["versions"]) == 2
    placed = client.get(f"/members/api/members/{tree.member}/organization?on=2025-12-31",
                        headers=auth("committee", tree.committee)).json()
    assert placed["organization_id"] is None and placed["placements"][0]["organization_id"] == str(tree.cell)
    warnings = client.get(f"/members/api/organizations/{tree.committee}/structure-warnings",
                          headers=auth("committee", tree.committee)).json()
    assert {(w["organization_id"], w["rule"]) for w in warnings["items"]} == {(str(tree.cell),
                                                                              "grassroots_min_official")}


@pytest.mark.parametrize("path", [
    "/members/api/members/{m}", "/members/api/members/{m}/history", "/members/api/organizations/{c}/probation-due",
])
def test_an_ordinary_member_cannot_read_the_confidential_records(client, tree, auth, path):
    assert client.get(path.format(m=tree.member, c=tree.cell), headers=auth("member", tree.cell)).status_code == 403
