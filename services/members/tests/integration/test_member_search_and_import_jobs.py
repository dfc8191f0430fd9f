"""Member search for the staff pages (accent-insensitive name, CCCD, card number, filters, paging, subtree) and
the HR import as background jobs with progress; on SQLite and PostgreSQL."""
from __future__ import annotations

import time
from datetime import date

from sqlalchemy import text

from members import models, usecases
from members.domain import NewMember
from shared import clock
from shared.uow import UnitOfWork

FROM = date(2026, 1, 1)  # as in the fixtures

HEADER = "Mã nhân sự,Số CCCD,Họ và tên,Đơn vị công tác,Chức vụ,Lương đóng BHXH,Lương hưu\n"


def register(engine, org, name: str, cccd: str, born: date = date(1980, 5, 1), status: str = "official"):
    member, _ = usecases.register_member(UnitOfWork(engine, models.outbox), NewMember(
        full_name=name, sex="male", date_of_birth=born, status=status, organization_id=org, effective_from=FROM,
        cccd=cccd), None)
    return member.id


def search(client, auth, org, **params):
    response = client.get("/members/api/members/search", params=params, headers=auth("province", org))
    assert response.status_code == 200, response.text
    return response.json()


def test_a_name_typed_without_diacritics_finds_the_member_with_them(client, engine, tree, auth):
    an = register(engine, tree.cell, "Nguyễn Văn An", "025180000010")
    register(engine, tree.cell, "Nguyễn Văn Anh Đức", "025180000011")
    register(engine, tree.other_cell, "Đặng Thị Hạnh", "025180000012")
    body = search(client, auth, tree.province, q="nguyen van an")
    assert [i["full_name"] for i in body["items"]] == ["Nguyễn Văn An", "Nguyễn Văn Anh Đức"]
    assert body["items"][0]["id"] == str(an) and body["total"] == 2
    assert [i["full_name"] for i in search(client, auth, tree.province, q="DANG THI HANH")["items"]] == ["Đặng Thị Hạnh"]
    assert search(client, auth, tree.province, q="Nguyễn  văn AN")["total"] == 2  # with marks and odd spacing too


def test_a_renamed_member_is_found_by_the_new_name_only(client, engine, tree, auth):
    response = client.patch(f"/members/api/members/{tree.member}", json={"full_name": "Trần Thị Lan"},
                            headers=auth("province", tree.province))
    assert response.status_code == 200, response.text
    assert search(client, auth, tree.province, q="tran thi lan")["total"] == 1
    assert search(client, auth, tree.province, q="nguyen thi lan")["total"] == 0


def test_digits_find_a_member_by_cccd_or_its_first_digits_and_by_party_card(client, engine, tree, auth):
    register(engine, tree.other_cell, "Lê Văn Cường", "025180000099")
    assert [i["cccd"] for i in search(client, auth, tree.province, q="025180000099")["items"]] == ["025180000099"]
    assert search(client, auth, tree.province, q="0251800000")["total"] == 1
    with engine.begin() as conn:
        conn.execute(text("UPDATE member SET party_card_number = '77001234' WHERE cccd = '025180000099'"))
    assert [i["full_name"] for i in search(client, auth, tree.province, q="77001234")["items"]] == ["Lê Văn Cường"]


def test_filters_narrow_by_status_sector_cell_and_age_band(client, engine, tree, auth):
    today = clock.today()
    young = register(engine, tree.other_cell, "Phạm Văn Trẻ", "025180000020",
                     born=date(today.year - 25, 1, 1), status="probationary")
    register(engine, tree.cell, "Võ Văn Già", "025180000021", born=date(today.year - 66, 1, 1))
    assert [i["id"] for i in search(client, auth, tree.province, status="probationary")["items"]] == [str(young)]
    assert [i["full_name"] for i in search(client, auth, tree.province, sector="state_enterprise")["items"]] == [
        "Phạm Văn Trẻ"]
    assert [i["full_name"] for i in search(client, auth, tree.province, age_band="61-70")["items"]] == ["Võ Văn Già"]
    assert {i["full_name"] for i in search(client, auth, tree.province, cell_id=str(tree.cell))["items"]} == {
        "Nguyễn Thị Lan", "Võ Văn Già"}
    assert search(client, auth, tree.province, cell_id=str(tree.committee))["total"] == 2  # a committee: its subtree


def test_an_age_band_starts_on_the_birthday(client, engine, tree, auth):
    today = clock.today()
    thirty_one_today = date(today.year - 31, today.month, today.day) if (today.month, today.day) != (2, 29) \
        else date(today.year - 31, 3, 1)
    register(engine, tree.cell, "Hà Văn Ba Mốt", "025180000030", born=thirty_one_today)
    assert search(client, auth, tree.province, q="ha van ba mot", age_band="31-40")["total"] == 1
    assert search(client, auth, tree.province, q="ha van ba mot", age_band="18-30")["total"] == 0


def test_pages_come_in_name_order_with_the_total(client, engine, tree, auth):
    for n in range(5):
        register(engine, tree.cell, f"Bùi Văn Số {n}", f"02518000004{n}")
    first = search(client, auth, tree.province, q="bui van so", limit=2, offset=0)
    last = search(client, auth, tree.province, q="bui van so", limit=2, offset=4)
    assert first["total"] == 5 and [i["full_name"] for i in first["items"]] == ["Bùi Văn Số 0", "Bùi Văn Số 1"]
    assert [i["full_name"] for i in last["items"]] == ["Bùi Văn Số 4"]


def test_a_committee_searches_only_its_subtree_and_a_member_not_at_all(client, engine, tree, auth):
    register(engine, tree.other_cell, "Nguyễn Thị Lành", "025180000050")
    response = client.get("/members/api/members/search", params={"q": "nguyen thi lan"},
                          headers=auth("committee", tree.committee))
    assert [i["full_name"] for i in response.json()["items"]] == ["Nguyễn Thị Lan"]
    outside = client.get("/members/api/members/search", params={"cell_id": str(tree.other_cell)},
                         headers=auth("committee", tree.committee))
    assert outside.status_code == 403
    assert client.get("/members/api/members/search", headers=auth("member", tree.cell)).status_code == 403


def test_a_bad_filter_is_a_422_naming_it_in_vietnamese(client, tree, auth):
    response = client.get("/members/api/members/search", params={"age_band": "12-15"},
                          headers=auth("province", tree.province))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "age_band"
    assert response.json()["detail"][0]["msg_vi"] == "Nhóm tuổi không hợp lệ"


def wait_job(client, auth, org, job_id: str) -> dict:
    deadline = time.monotonic() + 30
    while True:
        job = client.get(f"/members/api/hr/import-jobs/{job_id}", headers=auth("province", org)).json()
        if job["status"] != "running":
            return job
        assert time.monotonic() < deadline, job
        time.sleep(0.05)  # polling a background job with a deadline, not a fixed wait


def test_an_hr_file_is_previewed_and_committed_by_background_jobs_with_their_progress(client, engine, tree, auth):
    csv = (HEADER + "NS-1,025185000001,Nguyễn Thị Lan,Văn phòng,Chuyên viên,8500000,\n"
                    "NS-2,12345,Người Sai,Văn phòng,Chuyên viên,abc,\n").encode()
    started = client.post("/members/api/hr/import-jobs", files={"file": ("hr.csv", csv, "text/csv")},
                          params={"effective_from": "2026-03-01"}, headers=auth("province", tree.province))
    assert started.status_code == 202, started.text
    assert started.json()["kind"] == "preview" and started.json()["total_rows"] == 2
    job = wait_job(client, auth, tree.province, started.json()["id"])
    assert job["status"] == "done" and job["done_rows"] == 2 and job["percent"] == 100
    preview = client.get(f"/members/api/hr/imports/{job['import_id']}", headers=auth("province", tree.province)).json()
    assert preview["summary"]["new"] == 1 and preview["summary"]["error"] == 1
    committed = client.post(f"/members/api/hr/imports/{job['import_id']}/commit-job",
                            headers=auth("province", tree.province))
    assert committed.status_code == 202
    done = wait_job(client, auth, tree.province, committed.json()["id"])
    assert done["status"] == "done" and done["kind"] == "commit"
    again = client.get(f"/members/api/hr/imports/{job['import_id']}", headers=auth("province", tree.province)).json()
    assert again["status"] == "committed"
    assert client.get(f"/members/api/hr/import-jobs/{job['id']}",
                      headers=auth("committee", tree.other_committee)).status_code == 403


def test_a_file_without_a_required_column_ends_the_job_as_failed_with_the_reason(client, tree, auth):
    started = client.post("/members/api/hr/import-jobs", files={"file": ("hr.csv", "Họ và tên\nA\n".encode(), "text/csv")},
                          headers=auth("province", tree.province))
    job = wait_job(client, auth, tree.province, started.json()["id"])
    assert job["status"] == "failed" and job["error_vi"].startswith("Thiếu cột bắt buộc")
    assert job["import_id"] is None


def test_the_staff_pages_send_a_visitor_to_sign_in_and_refuse_an_ordinary_member(client, tree, auth):
    response = client.get("/members/tree", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"] == "/members/login?next=/members/tree"
    member_page = client.get("/members/tree", headers=auth("member", tree.cell))
    assert member_page.status_code == 403 and "dành cho cán bộ" in member_page.text
    other = client.get(f"/members/m/{tree.member}", headers=auth("committee", tree.other_committee))
    assert other.status_code == 403


def test_a_cell_moved_into_a_committee_is_searched_by_that_committee_from_the_day_of_the_move(client, engine, tree,
                                                                                            auth):
    register(engine, tree.other_cell, "Trương Văn Chuyển", "025180000060")
    before = client.get("/members/api/members/search", params={"q": "truong van chuyen"},
                        headers=auth("committee", tree.committee))
    assert before.json()["total"] == 0  # the subtree is now cached for today
    moved = client.post(f"/members/api/organizations/{tree.other_cell}/move",
                        json={"parent_id": str(tree.committee), "effective_from": clock.today().isoformat()},
                        headers=auth("province", tree.province))
    assert moved.status_code == 200, moved.text
    after = client.get("/members/api/members/search", params={"q": "truong van chuyen"},
                       headers=auth("committee", tree.committee))
    assert [i["full_name"] for i in after.json()["items"]] == ["Trương Văn Chuyển"]
