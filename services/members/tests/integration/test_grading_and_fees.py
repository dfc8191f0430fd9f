"""Grading (QĐ 366) and party fees (QĐ 01-QĐ/TW 2026) through the API, on SQLite and PostgreSQL."""
from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import select, update
from sqlmodel import Session

from members import fee_usecases, finance_models, models, usecases
from members.domain import NewMember
from shared.uow import UnitOfWork

from ..conftest import FROM


def add_member(engine, cell, name: str, cccd: str) -> uuid.UUID:
    member, _ = usecases.register_member(UnitOfWork(engine, models.outbox), NewMember(
        full_name=name, sex="male", date_of_birth=date(1980, 5, 1), status="official", organization_id=cell,
        effective_from=FROM, cccd=cccd), None)
    return member.id


def set_salary(engine, member_id, salary: int | None, valid_from=date(2026, 1, 1), pension=None, student=False):
    with Session(engine) as s:
        s.add(finance_models.Employment(member_id=member_id, valid_from=valid_from, insured_salary_vnd=salary,
                                        pension_vnd=pension, is_student=student, source="manual"))
        s.commit()


def outbox_events(engine, subject: str) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.outbox.c.payload).where(models.outbox.c.subject == subject)
                            .order_by(models.outbox.c.seq)).scalars().all()
    return [json.loads(r) for r in rows]


# ---- grading ------------------------------------------------------------------------------------------------

def grade(client, headers, member_id, score, year=2026):
    return client.post("/members/api/grades/members", headers=headers, json={
        "member_id": str(member_id), "year": year, "score": score, "decided_on": "2026-11-20"})


def test_a_member_graded_89_99_is_good_and_90_is_excellent_and_each_publishes_member_graded(client, tree, engine, auth):
    headers = auth("secretary", tree.cell)
    good = grade(client, headers, tree.member, "89.99")
    assert good.status_code == 201, good.text
    assert good.json()["level"] == "good" and good.json()["level_vi"] == "Hoàn thành tốt nhiệm vụ"
    again = grade(client, headers, tree.member, 90)
    assert again.json()["level"] == "excellent" and again.json()["replaced_earlier_grade"] is True
    events = outbox_events(engine, "members.member.graded")
    assert [e["level"] for e in events] == ["good", "excellent"]
    assert events[-1]["organization_id"] == str(tree.cell) and events[-1]["year"] == 2026


def test_a_score_above_100_is_refused_naming_the_score_and_nothing_changes(client, tree, engine, auth, rows):
    before = rows(engine)
    response = grade(client, auth("secretary", tree.cell), tree.member, "100.5")
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "score"
    assert rows(engine) == before


def test_the_quota_warns_on_the_third_excellent_among_ten_good_in_one_grassroots_organization(client, tree, engine,
                                                                                              auth):
    headers = auth("secretary", tree.cell)
    members = [add_member(engine, tree.cell, f"Đảng viên {i}", f"0251850001{i:02d}") for i in range(13)]
    for m in members[:10]:
        assert grade(client, headers, m, 80).json()["warnings"] == []
    assert grade(client, headers, members[10], 95).json()["warnings"] == []
    assert grade(client, headers, members[11], 95).json()["warnings"] == []
    third = grade(client, headers, members[12], 95)
    assert third.status_code == 201
    warning = third.json()["warnings"][0]
    assert "Vượt tỷ lệ" in warning["msg_vi"] and "Quota exceeded" in warning["msg_en"]


def test_with_the_quota_set_to_refuse_the_excess_excellent_is_refused_and_not_recorded(client, tree, engine, auth):
    with Session(engine) as s:
        s.exec(update(finance_models.GradeScaleRow).values(quota_mode="refuse"))
        s.commit()
    headers = auth("secretary", tree.cell)
    response = grade(client, headers, tree.member, 92)  # no one rated good yet: 0 excellent allowed
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "score" and "Vượt tỷ lệ" in response.json()["detail"][0]["msg_vi"]
    assert outbox_events(engine, "members.member.graded") == []


def test_a_cell_is_graded_by_its_committee_and_publishes_organization_graded(client, tree, engine, auth):
    response = client.post("/members/api/grades/organizations", headers=auth("committee", tree.committee), json={
        "organization_id": str(tree.cell), "year": 2026, "score": 69.99, "decided_on": "2026-11-20"})
    assert response.status_code == 201, response.text
    assert response.json()["level"] == "completed"
    assert outbox_events(engine, "members.organization.graded")[0]["organization_id"] == str(tree.cell)


def test_a_secretary_cannot_grade_a_member_of_another_cell(client, tree, auth):
    assert grade(client, auth("secretary", tree.other_cell), tree.member, 80).status_code == 403


# ---- fees --------------------------------------------------------------------------------------------------

def sheet(client, headers, cell, month, payments):
    return client.post("/members/api/fees/sheets", headers=headers, json={
        "organization_id": str(cell), "month": month,
        "payments": [{"member_id": str(m), "paid_vnd": p} for m, p in payments.items()]})


def test_the_due_is_one_percent_of_the_previous_months_insured_salary(client, tree, engine, auth):
    set_salary(engine, tree.member, 8_000_000, valid_from=date(2026, 1, 1))
    set_salary(engine, tree.member, 9_000_000, valid_from=date(2026, 3, 1))
    headers = auth("secretary", tree.cell)
    march = client.get("/members/api/fees/dues", headers=headers,
                       params={"organization_id": str(tree.cell), "month": "2026-03-01"}).json()
    april = client.get("/members/api/fees/dues", headers=headers,
                       params={"organization_id": str(tree.cell), "month": "2026-04-15"}).json()
    assert march["items"][0]["due_vnd"] == 80_000 and march["items"][0]["basis"] == "insured_salary"
    assert april["items"][0]["due_vnd"] == 90_000 and april["month"] == "2026-04-01"


def test_a_collection_sheet_publishes_fees_recorded_and_a_correction_a_higher_revision(client, tree, engine, auth):
    set_salary(engine, tree.member, 8_000_000)
    headers = auth("secretary", tree.cell)
    first = sheet(client, headers, tree.cell, "2026-03-01", {})
    assert first.status_code == 201, first.text
    corrected = sheet(client, headers, tree.cell, "2026-03-01", {tree.member: 80_000})
    assert corrected.json()["revision"] == 2 and corrected.json()["total_paid_vnd"] == 80_000
    events = outbox_events(engine, "members.fees.recorded")
    assert [(e["revision"], e["lines"][0]["paid_vnd"], e["lines"][0]["due_vnd"]) for e in events] == [
        (1, 0, 80_000), (2, 80_000, 80_000)]
    unpaid = client.get("/members/api/fees/unpaid", headers=headers,
                        params={"organization_id": str(tree.cell), "year": 2026}).json()
    assert unpaid["items"] == []  # the correction paid the month


def test_two_unpaid_months_raise_nothing_and_the_third_raises_one_removal_review_per_year(client, tree, engine, auth):
    set_salary(engine, tree.member, 8_000_000)
    headers = auth("secretary", tree.cell)
    for month in ("2026-02-01", "2026-03-01"):
        assert sheet(client, headers, tree.cell, month, {}).json()["removal_reviews_raised"] == []
    assert outbox_events(engine, "members.member.removal_review_raised") == []
    third = sheet(client, headers, tree.cell, "2026-04-01", {})
    assert third.json()["removal_reviews_raised"] == [str(tree.member)]
    fourth = sheet(client, headers, tree.cell, "2026-05-01", {})
    assert fourth.json()["removal_reviews_raised"] == []
    reviews = outbox_events(engine, "members.member.removal_review_raised")
    assert [(r["member_id"], r["cause"], r["year"], r["count"]) for r in reviews] == [
        (str(tree.member), "unpaid_fees", 2026, 3)]
    unpaid = client.get("/members/api/fees/unpaid", headers=auth("committee", tree.committee),
                        params={"organization_id": str(tree.committee), "year": 2026}).json()
    assert unpaid["items"][0]["count"] == 4 and unpaid["items"][0]["removal_review_raised"] is True


def test_unpaid_months_of_two_years_are_counted_apart(tree, engine):
    set_salary(engine, tree.member, 8_000_000)
    raised = []
    for month in (date(2026, 11, 1), date(2026, 12, 1), date(2027, 1, 1)):
        done = fee_usecases.record_fees(UnitOfWork(engine, models.outbox),
                                        fee_usecases.RecordFees(tree.cell, month, {}), None, today=date(2027, 2, 1))
        assert done.lines[0][0].due.amount_vnd == 80_000
        raised += done.reviews_raised
    assert raised == [] and outbox_events(engine, "members.member.removal_review_raised") == []


def test_a_payment_for_someone_outside_the_cell_is_refused_and_nothing_is_recorded(client, tree, engine, auth, rows):
    before = rows(engine, finance_models.FeeSheet)
    response = sheet(client, auth("secretary", tree.cell), tree.cell, "2026-03-01", {uuid.uuid4(): 10_000})
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "payments.0.member_id"
    assert rows(engine, finance_models.FeeSheet) == before and outbox_events(engine, "members.fees.recorded") == []


def test_fees_for_a_month_still_to_come_are_refused(client, tree, auth):
    response = sheet(client, auth("secretary", tree.cell), tree.cell, "2099-01-01", {})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "month"


def test_a_retiree_pays_half_a_percent_of_the_pension_and_a_student_five_thousand(client, tree, engine, auth):
    student = add_member(engine, tree.cell, "Sinh viên A", "025185000222")
    set_salary(engine, tree.member, None, pension=7_200_000)
    set_salary(engine, student, None, student=True)
    dues = client.get("/members/api/fees/dues", headers=auth("secretary", tree.cell),
                      params={"organization_id": str(tree.cell), "month": "2026-03-01"}).json()
    by_id = {d["member_id"]: (d["due_vnd"], d["basis"]) for d in dues["items"]}
    assert by_id == {str(tree.member): (36_000, "pension"), str(student): (5_000, "student")}


def test_a_secretary_enters_a_voluntary_extra_which_adds_to_the_due_from_the_next_month(client, tree, engine, auth):
    set_salary(engine, tree.member, 8_000_000)
    headers = auth("secretary", tree.cell)
    response = client.put(f"/members/api/fees/basis/{tree.member}", headers=headers,
                          json={"valid_from": "2026-04-01", "voluntary_extra_vnd": 20_000})
    assert response.status_code == 200, response.text
    assert (response.json()["insured_salary_vnd"], response.json()["voluntary_extra_vnd"]) == (8_000_000, 20_000)

    def due(month):
        return client.get("/members/api/fees/dues", headers=headers,
                          params={"organization_id": str(tree.cell), "month": month}).json()["items"][0]["due_vnd"]

    assert (due("2026-04-01"), due("2026-05-01")) == (80_000, 100_000)


def test_a_negative_voluntary_extra_is_refused_naming_the_field(client, tree, engine, auth, rows):
    before = rows(engine)
    response = client.put(f"/members/api/fees/basis/{tree.member}", headers=auth("secretary", tree.cell),
                          json={"valid_from": "2026-04-01", "voluntary_extra_vnd": -1})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "voluntary_extra_vnd"
    assert rows(engine) == before


def test_a_secretary_cannot_set_the_fee_basis_of_a_member_of_another_cell(client, tree, auth):
    response = client.put(f"/members/api/fees/basis/{tree.member}", headers=auth("secretary", tree.other_cell),
                          json={"valid_from": "2026-04-01", "is_student": True})
    assert response.status_code == 403


def test_fees_are_collected_per_cell_not_per_committee(client, tree, auth):
    response = sheet(client, auth("committee", tree.committee), tree.committee, "2026-03-01", {})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "organization_id"


# ---- the rule tables through the API ----------------------------------------------------------------------

SCALE_2026 = {"excellent_min": 90, "good_min": 70, "completed_min": 50, "excellent_quota_percent": 20,
              "quota_mode": "refuse", "source": "Quyết định của Ban Thường vụ (thử)"}


def test_the_province_makes_the_quota_refuse_from_a_year_and_the_older_version_stays(client, tree, auth):
    province = auth("province", tree.province)
    response = client.put("/members/api/grades/scales/2026", headers=province, json=SCALE_2026)
    assert response.status_code == 200, response.text
    scales = client.get("/members/api/grades/scales", headers=province).json()["items"]
    assert [(s["from_year"], s["quota_mode"]) for s in scales] == [(2025, "warn"), (2026, "refuse")]
    refused = grade(client, auth("secretary", tree.cell), tree.member, 95)  # nobody rated good yet
    assert refused.status_code == 422 and "Vượt tỷ lệ" in refused.json()["detail"][0]["msg_vi"]


def test_only_the_province_sets_the_scale_and_thresholds_must_rise(client, tree, auth):
    assert client.put("/members/api/grades/scales/2026", headers=auth("committee", tree.committee),
                      json=SCALE_2026).status_code == 403
    upside_down = {**SCALE_2026, "good_min": 95}
    response = client.put("/members/api/grades/scales/2026", headers=auth("province", tree.province), json=upside_down)
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "good_min"


def test_a_new_fee_rate_applies_from_its_month_and_the_month_before_keeps_the_old_one(client, tree, engine, auth):
    set_salary(engine, tree.member, 8_000_000)
    province = auth("province", tree.province)
    response = client.put("/members/api/fees/rules/2026-07-01", headers=province, json={
        "insured_rate_percent": "1.5", "pension_rate_percent": "0.5", "student_flat_vnd": 6000, "source": "thử"})
    assert response.status_code == 200, response.text

    def due(month):
        return client.get("/members/api/fees/dues", headers=province,
                          params={"organization_id": str(tree.cell), "month": month}).json()["items"][0]["due_vnd"]

    assert (due("2026-06-01"), due("2026-07-01")) == (80_000, 120_000)
    assert [r["effective_from"] for r in client.get("/members/api/fees/rules", headers=province).json()["items"]] == [
        "2026-02-01", "2026-07-01"]


def test_fee_rates_start_on_the_first_of_a_month(client, tree, auth):
    response = client.put("/members/api/fees/rules/2026-07-15", headers=auth("province", tree.province), json={
        "insured_rate_percent": 1, "pension_rate_percent": 0.5, "student_flat_vnd": 5000})
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "effective_from"


def test_the_quota_counts_all_subordinate_cells_of_one_grassroots_committee_together(client, tree, engine, auth):
    from ..conftest import create_org
    grassroots = create_org(engine, "Đảng bộ Sở Tài chính", "grassroots_committee", tree.committee)
    cell_a = create_org(engine, "Chi bộ Phòng Ngân sách", "subordinate_cell", grassroots)
    cell_b = create_org(engine, "Chi bộ Phòng Tin học", "subordinate_cell", grassroots)
    headers = auth("committee", tree.committee)
    elsewhere = grade(client, auth("secretary", tree.cell), tree.member, 91)  # another grassroots organization
    assert elsewhere.json()["warnings"]  # its own pool: no one rated good there
    for i in range(5):
        assert grade(client, headers, add_member(engine, cell_a, f"A {i}", f"02518500030{i}"), 75).json()["warnings"] == []
    first = grade(client, headers, add_member(engine, cell_b, "B 1", "025185000401"), 91)
    second = grade(client, headers, add_member(engine, cell_b, "B 2", "025185000402"), 91)
    # 5 good allow 1 excellent, counted across both cells and not with the other grassroots cell's excellent
    assert first.json()["warnings"] == []
    assert "Vượt tỷ lệ" in second.json()["warnings"][0]["msg_vi"]
