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
                 "84,6%", "88,9%", "75,0%", period_label_vi(current_periods()[1]), "/reports/api/stream"):
        assert text in page, text
    assert "cdn" not in page.lower() and "https://" not in page


def test_the_dashboard_shows_the_period_chosen(client, ev, sign_in):
    project(client.app.state.runtime.engine, [*ev.tree(), ev.rated("m1", "phongtc", date(2025, 11, 3), "tot")])
    sign_in("sogd", "committee")
    page = client.get("/reports/", params={"period": "2025-Q4"}).text
    assert '<option value="2025-Q4" selected>Quý IV/2025</option>' in page
    assert '"period": "2025-Q4"' in page and '"meetings_held": 1' in page


def test_a_user_whose_organization_the_reports_do_not_know_yet_sees_an_explanation(client, sign_in):
    sign_in("phongtc")
    assert "Chưa có số liệu" in client.get("/reports/").text
