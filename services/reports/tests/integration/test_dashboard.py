from datetime import date

from shared.auth import COOKIE_NAME
from reports.periods import current_periods, period_label_vi
from reports.usecases import project


def test_the_dashboard_sends_a_visitor_without_a_valid_cookie_to_the_login_page(client):
    for cookies in ({}, {COOKIE_NAME: "expired-or-forged"}):
        client.cookies.clear()
        client.cookies.update(cookies)
        response = client.get("/reports/")
        assert response.status_code == 303
        assert response.headers["location"] == "/members/login?next=/reports/"


def test_the_dashboard_shows_the_users_subtree_this_month_in_vietnamese(client, ev, sign_in):
    today = date.today()
    project(client.app.state.runtime.engine, [*ev.tree(), ev.rated("m1", "phongtc", today, "tot"),
                                              ev.rated("m2", "baotang", today, "kem", present=3, expected=4)])
    sign_in("coquan", "committee", "Trần Thị Bình")
    page = client.get("/reports/").text
    for text in ("Trần Thị Bình", "Cán bộ Đảng ủy", "Đăng xuất", "Đảng bộ các cơ quan Đảng tỉnh",
                 "Chi bộ Bảo tàng tỉnh", "Đảng bộ Sở Giáo dục và Đào tạo", "Trung bình", "Tỷ lệ dự họp",
                 "84,6%", "88,9%", "75,0%", period_label_vi(current_periods()[1]), "/reports/static/dashboard.js"):
        assert text in page, text
    assert "cdn" not in page.lower() and "https://" not in page


def test_the_dashboard_script_is_served_by_the_service_itself_and_reads_the_live_stream(client, sign_in):
    sign_in("coquan", "committee")
    script = client.get("/reports/static/dashboard.js")
    assert script.status_code == 200 and script.headers["content-type"].startswith("text/javascript")
    assert "new EventSource(\"/reports/api/stream" in script.text
    assert "http://" not in script.text.replace("http://www.w3.org/2000/svg", "") and "https://" not in script.text
    assert "setInterval" not in script.text and "setTimeout" not in script.text  # no polling


def _data(page: str) -> dict:
    import json
    start = page.index('<script id="dashboard-data" type="application/json">') + 52
    return json.loads(page[start:page.index("</script>", start)])


def test_the_picker_lists_only_the_users_subtree_and_another_org_inside_it_can_be_viewed(client, ev, sign_in):
    today = date.today()
    project(client.app.state.runtime.engine, [*ev.tree(), ev.rated("m1", "phongtc", today, "tot")])
    sign_in("sogd", "committee")
    page = client.get("/reports/").text
    for inside in ("Đảng bộ Sở Giáo dục và Đào tạo", "Chi bộ Phòng Tổ chức cán bộ", "Chi bộ Văn phòng Sở"):
        assert inside in page, inside
    assert "Chi bộ Bảo tàng tỉnh" not in page and "Đảng bộ tỉnh Phú Thọ" not in page
    picked = client.get("/reports/", params={"org": str(ev.oid("phongtc"))}).text
    assert '<h2 id="org-name">Chi bộ Phòng Tổ chức cán bộ</h2>' in picked
    assert _data(picked)["figures"]["meetings_held"] == 1
    outside = client.get("/reports/", params={"org": str(ev.oid("baotang"))}).text
    assert '<h2 id="org-name">Đảng bộ Sở Giáo dục và Đào tạo</h2>' in outside
    assert "chỉ xem được tổ chức trong phạm vi" in outside and "Chi bộ Bảo tàng tỉnh" not in outside


def test_the_dashboard_carries_the_months_of_the_year_and_flags_cells_that_missed_or_fell(client, ev, sign_in):
    project(client.app.state.runtime.engine, [
        *ev.tree(), ev.rated("a1", "phongtc", date(2026, 2, 10), "tot"), ev.rated("a2", "phongtc", date(2026, 3, 10), "kha"),
        ev.rated("b1", "vanphong", date(2026, 2, 11), "kha"), ev.rated("b2", "vanphong", date(2026, 3, 11), "kha"),
        ev.rated("c1", "baotang", date(2026, 2, 12), "tot")])
    sign_in("coquan", "committee")
    data = _data(client.get("/reports/", params={"period": "2026-03"}).text)
    assert [m["period"] for m in data["series"]] == [f"2026-{m:02d}" for m in range(1, 13)]
    assert [m["meetings_held"] for m in data["series"][:4]] == [0, 3, 2, 0]
    assert data["series"][2]["levels"]["kha"] == 2 and data["series"][1]["attendance"]["rate"] == 88.9
    assert (data["watch_month"], data["previous_month"]) == ("2026-03", "2026-02")
    flagged = {c["org_name"]: c["flags"] for c in data["cells"]}
    assert flagged == {"Chi bộ Bảo tàng tỉnh": ["missed"], "Chi bộ Phòng Tổ chức cán bộ": ["fell"],
                       "Chi bộ Văn phòng Sở": []}  # Khá both months: not fallen
    assert data["alerts"] == {"removal_reviews": [], "absence_limits": [], "overdue_probations": [],  # "Không có cảnh báo."
                              "totals": {"removal_reviews": 0, "absence_limits": 0, "overdue_probations": 0}}


def test_the_dashboard_shows_the_period_chosen(client, ev, sign_in):
    project(client.app.state.runtime.engine, [*ev.tree(), ev.rated("m1", "phongtc", date(2025, 11, 3), "tot")])
    sign_in("sogd", "committee")
    page = client.get("/reports/", params={"period": "2025-Q4"}).text
    assert '<option value="2025-Q4" selected>Quý IV/2025</option>' in page
    assert '"period": "2025-Q4"' in page and '"meetings_held": 1' in page


def test_a_user_whose_organization_the_reports_do_not_know_yet_sees_an_explanation(client, sign_in):
    sign_in("phongtc")
    assert "Chưa có số liệu" in client.get("/reports/").text
