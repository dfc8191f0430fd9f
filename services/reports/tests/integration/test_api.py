from datetime import date

from reports.usecases import project

MARCH = date(2026, 3, 12)


def _load(client, ev):
    project(client.app.state.runtime.engine, [
        *ev.tree(), ev.recorded("m1", "phongtc", MARCH), ev.rated("m1", "phongtc", MARCH, "tot"),
        ev.rated("m2", "vanphong", MARCH, "kha", present=5, expected=6, speakers=2), ev.recorded("m3", "baotang", MARCH)])


def test_a_committee_sees_its_figures_and_each_direct_child(client, ev, bearer):
    _load(client, ev)
    body = client.get("/reports/api/figures", params={"org_id": str(ev.oid("coquan")), "period": "2026-Q1"},
                      headers=bearer("coquan", "committee")).json()
    assert (body["org_name"], body["period"], body["meetings_held"]) == ("Đảng bộ các cơ quan Đảng tỉnh", "2026-Q1", 3)
    assert body["levels"] == {"tot": 1, "kha": 1, "trung_binh": 0, "kem": 0, "unrated": 1}
    assert body["attendance"] == {"present": 21, "expected": 24, "rate": 87.5}
    assert [(c["org_name"], c["meetings_held"]) for c in body["children"]] == [
        ("Chi bộ Bảo tàng tỉnh", 1), ("Đảng bộ Sở Giáo dục và Đào tạo", 2)]


def test_a_child_without_meetings_is_listed_with_zeros(client, ev, bearer):
    _load(client, ev)
    body = client.get("/reports/api/figures", params={"org_id": str(ev.oid("sogd")), "period": "2026-04"},
                      headers=bearer("tinh", "province")).json()
    assert [c["meetings_held"] for c in body["children"]] == [0, 0]
    assert body["attendance"]["rate"] is None


def test_a_secretary_reading_another_cell_is_forbidden(client, ev, bearer):
    _load(client, ev)
    response = client.get("/reports/api/figures", params={"org_id": str(ev.oid("vanphong")), "period": "2026-03"},
                          headers=bearer("phongtc"))
    assert response.status_code == 403
    assert "Ngoài phạm vi" in response.json()["detail"][0]["msg_vi"]


def test_a_secretary_reads_their_own_cell_by_default(client, ev, bearer):
    _load(client, ev)
    body = client.get("/reports/api/figures", params={"period": "2026-03"}, headers=bearer("phongtc")).json()
    assert (body["org_id"], body["meetings_held"], body["children"]) == (str(ev.oid("phongtc")), 1, [])


def test_a_malformed_period_is_rejected_in_vietnamese_and_english(client, ev, bearer):
    _load(client, ev)
    response = client.get("/reports/api/figures", params={"period": "2026-13"}, headers=bearer("tinh", "province"))
    assert response.status_code == 422
    detail = response.json()["detail"][0]
    assert detail["field"] == "period" and "Kỳ báo cáo không hợp lệ" in detail["msg_vi"] and detail["msg_en"]


def test_an_unknown_organization_is_rejected(client, ev, bearer):
    _load(client, ev)
    response = client.get("/reports/api/figures", params={"org_id": str(ev.oid("nowhere"))},
                          headers=bearer("tinh", "province"))
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "org_id"


def test_figures_and_the_stream_need_a_valid_token(client, ev):
    _load(client, ev)
    assert client.get("/reports/api/figures").status_code == 401
    assert client.get("/reports/api/stream", headers={"Authorization": "Bearer forged"}).status_code == 401


def test_the_stream_refuses_an_organization_outside_the_subtree(client, ev, bearer):
    _load(client, ev)
    response = client.get("/reports/api/stream", params={"org_id": str(ev.oid("tinh"))}, headers=bearer("phongtc"))
    assert response.status_code == 403
