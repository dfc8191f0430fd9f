"""Alerts in the figures, computed by hand from a small province: removal reviews, absence limits and overdue
probations (the 30th working day after the 12-month mark is not overdue, the 31st is), the same whatever the
order and however often the events arrive, only inside the caller's subtree, and in the XLSX/PDF exports."""
import io
import random
from datetime import date, datetime, timezone

import openpyxl
import pypdf
import pytest

from shared.events import (AbsenceLimitReached, MemberAdmitted, MemberOfficialStatusGranted, MemberProfileChanged,
                           MemberRegistered, MembershipEnded, MemberTransferred, OrganizationMoved,
                           RemovalReviewRaised, StatisticalProfile)
from reports.usecases import project

MARK = date(2026, 3, 5)  # a Thursday: 12 months after the 5 March 2025 ceremonies
DAY_30, DAY_31 = date(2026, 4, 16), date(2026, 4, 17)  # working days after the mark (weekends skipped)


def _admitted(ev, who, name, cell):
    return MemberAdmitted(member_id=ev.oid(who), organization_id=ev.oid(cell), full_name=name,
                          profile=StatisticalProfile(sex="female", date_of_birth=date(1995, 1, 1)),
                          decision_date=date(2025, 2, 20), ceremony_date=date(2025, 3, 5),
                          effective_from=date(2025, 3, 5))


def _review(ev, count, raised_on):
    return RemovalReviewRaised(member_id=ev.oid("tu"), organization_id=ev.oid("vanphong"), cause="unpaid_fees",
                               year=2026, count=count, raised_on=raised_on)


def events(ev):
    o = ev.oid
    twice = _review(ev, 3, date(2026, 4, 10))
    return [
        *ev.tree(),
        MemberRegistered(member_id=o("tu"), organization_id=o("vanphong"), full_name="Lê Văn Tư", sex="male",
                         date_of_birth=date(1980, 1, 1), status="official", effective_from=date(2020, 1, 1)),
        twice, twice,  # the same event delivered twice
        _review(ev, 4, date(2026, 4, 15)),  # a later review of the same year: the highest count is kept
        AbsenceLimitReached(member_id=o("tu"), organization_id=o("vanphong"), rule="unexcused", year=2026, count=3,
                            meeting_id=o("meeting-1"), occurred_at=datetime(2026, 4, 8, 3, 0, tzinfo=timezone.utc)),
        # 20:00 UTC on 9 April is 03:00 on 10 April in Hà Nội: dated 10 April
        AbsenceLimitReached(member_id=o("hoa"), organization_id=o("baotang"), rule="excused_consecutive", year=2026,
                            count=4, meeting_id=o("meeting-2"),
                            occurred_at=datetime(2026, 4, 9, 20, 0, tzinfo=timezone.utc)),
        _admitted(ev, "hoa", "Phạm Thị Hoa", "baotang"),  # no decision: overdue from the 31st working day
        _admitted(ev, "tam", "Trần Văn Tám", "vanphong"),  # decided on 20 April (official as of the mark)
        MemberOfficialStatusGranted(member_id=o("tam"), organization_id=o("vanphong"), decision_date=date(2026, 4, 20),
                                    effective_from=MARK),
        _admitted(ev, "lan", "Đỗ Thị Lan", "phongtc"),  # probation not recognised on 1 April: off the roll
        MembershipEnded(member_id=o("lan"), organization_id=o("phongtc"), reason="probation_not_recognized",
                        decision_date=date(2026, 4, 1), effective_from=date(2026, 4, 1)),
    ]


def _alerts(client, bearer, ev, slug="coquan", role="committee", *, to, start=date(2026, 4, 1)):
    response = client.get("/reports/api/figures", headers=bearer(slug, role),
                          params={"org_id": str(ev.oid(slug)), "from": start.isoformat(), "to": to.isoformat()})
    assert response.status_code == 200, response.text
    return response.json()["alerts"]


def _short(items):
    return [(i["member_name"], i["org_name"], i["reason"], i["count"], i["date"]) for i in items]


def test_alerts_list_reviews_absence_limits_and_probations_overdue_from_the_31st_working_day(client, ev, bearer):
    project(client.app.state.runtime.engine, events(ev))
    on_31 = _alerts(client, bearer, ev, to=DAY_31)
    assert _short(on_31["removal_reviews"]) == [
        ("Lê Văn Tư", "Chi bộ Văn phòng Sở", "unpaid_fees", 4, "2026-04-15")]
    assert _short(on_31["absence_limits"]) == [
        ("Lê Văn Tư", "Chi bộ Văn phòng Sở", "unexcused", 3, "2026-04-08"),
        ("Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh", "excused_consecutive", 4, "2026-04-10")]
    # Tám's decision (20 April) is still to come on 17 April; Lan is off the roll
    assert _short(on_31["overdue_probations"]) == [
        ("Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh", "overdue_probation", 31, "2026-03-05"),
        ("Trần Văn Tám", "Chi bộ Văn phòng Sở", "overdue_probation", 31, "2026-03-05")]
    assert on_31["overdue_probations"][0]["probation_from"] == "2025-03-05"
    assert on_31["overdue_probations"][0]["member_id"] == str(ev.oid("hoa"))
    assert on_31["overdue_probations"][0]["org_id"] == str(ev.oid("baotang"))

    on_30 = _alerts(client, bearer, ev, to=DAY_30)
    assert on_30["overdue_probations"] == []  # the 30th working day: due, not overdue yet
    assert _short(on_30["removal_reviews"]) == _short(on_31["removal_reviews"])
    # one row per member, cell, year and reason: the review of 10 April (count 3) became that of 15 April (count 4)
    assert _alerts(client, bearer, ev, to=date(2026, 4, 14))["removal_reviews"] == []
    after_decision = _alerts(client, bearer, ev, to=date(2026, 4, 20))
    assert _short(after_decision["overdue_probations"]) == [
        ("Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh", "overdue_probation", 32, "2026-03-05")]
    before = _alerts(client, bearer, ev, start=date(2026, 3, 1), to=date(2026, 4, 7))
    assert before == {"removal_reviews": [], "absence_limits": [], "overdue_probations": [],
                      "totals": {"removal_reviews": 0, "absence_limits": 0, "overdue_probations": 0}}


def test_the_days_off_in_the_shared_holiday_dataset_are_not_working_days(client, ev, bearer):
    project(client.app.state.runtime.engine, events(ev))
    # 5 March to 4 May 2026: 42 weekdays, less 27 April (Hùng Kings, observed), 30 April and 1 May, the days off
    # in shared/data/public_holidays.json that the members service skips too
    on_4_may = _alerts(client, bearer, ev, to=date(2026, 5, 4))
    assert _short(on_4_may["overdue_probations"]) == [
        ("Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh", "overdue_probation", 39, "2026-03-05")]


def test_alerts_are_the_same_whatever_the_order_and_however_often_the_events_arrive(client, ev, bearer):
    from reports.models import Base
    engine = client.app.state.runtime.engine
    project(engine, events(ev))
    once = _alerts(client, bearer, ev, to=DAY_31)
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in ("stat_band", "alert_rule", "projection_generation", "projection_lock"):
                conn.execute(table.delete())
    shuffled = events(ev)[6:] + events(ev) + events(ev)[::2]  # alerts before the tree and members; repeats
    random.Random(5).shuffle(shuffled)
    for start in range(0, len(shuffled), 3):
        project(engine, shuffled[start:start + 3])
    assert _alerts(client, bearer, ev, to=DAY_31) == once


def test_a_committee_sees_only_the_alerts_of_its_subtree(client, ev, bearer):
    project(client.app.state.runtime.engine, events(ev))
    sogd = _alerts(client, bearer, ev, "sogd", to=DAY_31)
    assert [i["member_name"] for key in ("removal_reviews", "absence_limits", "overdue_probations")
            for i in sogd[key]] == ["Lê Văn Tư", "Lê Văn Tư", "Trần Văn Tám"]  # not Hoa of Bảo tàng
    cell = _alerts(client, bearer, ev, "baotang", "secretary", to=DAY_31)
    assert [i["member_name"] for i in cell["absence_limits"] + cell["overdue_probations"]] == ["Phạm Thị Hoa"] * 2
    assert cell["removal_reviews"] == []
    response = client.get("/reports/api/figures", headers=bearer("sogd", "committee"),
                          params={"org_id": str(ev.oid("baotang")), "from": "2026-04-01", "to": "2026-04-17"})
    assert response.status_code == 403


def test_a_subtree_too_large_to_list_its_orgs_gets_the_same_alerts_read_through_the_probation_index(
        client, ev, bearer, monkeypatch):
    """Above ``tree.LISTED`` orgs the ids go as one parameter, and above ``report_alerts.BY_ORG`` the overdue
    probations are read from the probation index first (two ranges): forced here for every subtree, the answers
    are those of the listed path, on both sides of each deadline, a decision after the day included, and only
    inside the subtree."""
    from reports import report_alerts, tree

    project(client.app.state.runtime.engine, events(ev))
    asks = [("coquan", "committee", DAY_30), ("coquan", "committee", DAY_31), ("coquan", "committee", date(2026, 4, 20)),
            ("coquan", "committee", date(2026, 4, 14)), ("sogd", "committee", DAY_31),
            ("baotang", "secretary", DAY_31), ("coquan", "committee", date(2026, 4, 7))]
    listed = [_alerts(client, bearer, ev, slug, role, to=to) for slug, role, to in asks]
    assert [len(a["overdue_probations"]) for a in listed] == [0, 2, 1, 0, 1, 1, 0]  # the cases above, by hand
    calls = []
    real = tree.among_param
    monkeypatch.setattr(tree, "LISTED", 0)
    monkeypatch.setattr(report_alerts, "BY_ORG", 0)
    monkeypatch.setattr(tree, "among_param", lambda *a: calls.append(len(a[2])) or real(*a))
    assert [_alerts(client, bearer, ev, slug, role, to=to) for slug, role, to in asks] == listed
    assert calls and min(calls) >= 1  # every query went through the one-parameter path


def test_probations_read_from_the_index_place_a_member_who_moved_after_the_day_in_the_cell_of_that_day(
        client, ev, bearer, monkeypatch):
    """The probation index says where each member is from their last span's first day on (until its end, then
    nowhere); a member whose last span began after the day (transferred on 20 April, or whose profile changed on
    18 April) is placed by the span of that day instead, and one transferred out of the province is listed
    only before the transfer: the same answers as the by-org path, computed by hand here."""
    from reports import report_alerts

    o = ev.oid
    later = [
        _admitted(ev, "nam", "Ngô Văn Nam", "phongtc"),  # undecided; to Bảo tàng on 20 April
        MemberTransferred(member_id=o("nam"), from_organization_id=o("phongtc"), to_organization_id=o("baotang"),
                          effective_from=date(2026, 4, 20)),
        _admitted(ev, "mai", "Vũ Thị Mai", "vanphong"),  # undecided; her profile changed on 18 April
        MemberProfileChanged(member_id=o("mai"), full_name="Vũ Thị Mai", effective_from=date(2026, 4, 18),
                             profile=StatisticalProfile(sex="female", date_of_birth=date(1995, 1, 1),
                                                        ethnicity="Tày")),
        _admitted(ev, "son", "Hồ Văn Sơn", "phongtc"),  # undecided; out of the province on 20 April
        MemberTransferred(member_id=o("son"), from_organization_id=o("phongtc"), to_organization_id=None,
                          destination="Tỉnh Lào Cai", effective_from=date(2026, 4, 20)),
        _admitted(ev, "thu", "Lý Thị Thu", "vanphong"),  # undecided; out of the province on 10 April: never listed
        MemberTransferred(member_id=o("thu"), from_organization_id=o("vanphong"), to_organization_id=None,
                          destination="Tỉnh Lào Cai", effective_from=date(2026, 4, 10)),
    ]
    project(client.app.state.runtime.engine, events(ev) + later)
    asks = [("sogd", "committee", DAY_31), ("baotang", "secretary", DAY_31),
            ("sogd", "committee", date(2026, 4, 21)), ("baotang", "secretary", date(2026, 4, 21))]

    def names():
        return [sorted((i["member_name"], i["org_name"]) for i in _alerts(client, bearer, ev, slug, role, to=to)[
            "overdue_probations"]) for slug, role, to in asks]

    by_org = names()
    assert by_org == [
        [("Hồ Văn Sơn", "Chi bộ Phòng Tổ chức cán bộ"), ("Ngô Văn Nam", "Chi bộ Phòng Tổ chức cán bộ"),
         ("Trần Văn Tám", "Chi bộ Văn phòng Sở"), ("Vũ Thị Mai", "Chi bộ Văn phòng Sở")],
        # on 17 April: Nam not moved yet, Tám not decided yet, Sơn not gone yet, Thu gone
        [("Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh")],
        [("Vũ Thị Mai", "Chi bộ Văn phòng Sở")],  # on 21 April: Tám decided (20 April), Nam in Bảo tàng
        [("Ngô Văn Nam", "Chi bộ Bảo tàng tỉnh"), ("Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh")]]
    monkeypatch.setattr(report_alerts, "BY_ORG", 0)
    assert names() == by_org


def test_the_alerts_of_a_large_subtree_read_in_another_thread_are_those_read_in_line(
        client, ev, bearer, monkeypatch):
    from reports import report
    project(client.app.state.runtime.engine, events(ev))

    def figures():
        return [client.get("/reports/api/figures", headers=bearer("coquan", "committee"), params={
            "org_id": str(ev.oid("coquan")), **params}).json() for params in (
            {"period": "2026-04"}, {"from": "2026-04-01", "to": DAY_31.isoformat()}, {"period": "2026", "tree": "today"})]
    in_line = figures()
    monkeypatch.setattr(report, "ALONGSIDE_FROM", 0)
    threads = []
    original = report._ALONGSIDE.submit
    monkeypatch.setattr(report._ALONGSIDE, "submit", lambda fn: threads.append(fn) or original(fn))
    assert figures() == in_line
    assert len(threads) == 3  # the alerts of each


def test_the_figures_list_the_first_alerts_of_each_kind_by_date_and_count_them_all_while_the_export_lists_all(
        client, ev, bearer):
    project(client.app.state.runtime.engine, events(ev))

    def alerts(items):
        response = client.get("/reports/api/figures", headers=bearer("coquan", "committee"),
                              params={"org_id": str(ev.oid("coquan")), "period": "2026-04", "alert_items": items})
        assert response.status_code == 200, response.text
        return response.json()["alerts"]
    first = alerts(1)
    assert first["totals"] == {"removal_reviews": 1, "absence_limits": 2, "overdue_probations": 1}
    assert _short(first["absence_limits"]) == [("Lê Văn Tư", "Chi bộ Văn phòng Sở", "unexcused", 3, "2026-04-08")]
    assert len(alerts(20)["absence_limits"]) == 2  # the default too
    none = alerts(0)
    assert [none[k] for k in ("removal_reviews", "absence_limits", "overdue_probations")] == [[], [], []]
    assert none["totals"] == first["totals"]
    response = client.get("/reports/api/figures", headers=bearer("coquan", "committee"),
                          params={"org_id": str(ev.oid("coquan")), "period": "2026-04", "alert_items": -1})
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["field"] == "alert_items" and problem["msg_vi"] and problem["msg_en"]
    export = client.get("/reports/api/export", headers=bearer("coquan", "committee"),
                        params={"org": str(ev.oid("coquan")), "period": "2026-04", "format": "xlsx"})
    absences = openpyxl.load_workbook(io.BytesIO(export.content))["Vắng sinh hoạt"]
    assert [row[0].value for row in absences.iter_rows(min_row=2)] == ["Lê Văn Tư", "Phạm Thị Hoa"]


@pytest.mark.parametrize("fmt", ["xlsx", "pdf"])
def test_the_exports_carry_a_table_per_alert_list_with_vietnamese_headers(client, ev, bearer, fmt):
    project(client.app.state.runtime.engine, events(ev))
    response = client.get("/reports/api/export", headers=bearer("coquan", "committee"),
                          params={"org": str(ev.oid("coquan")), "period": "2026-04", "format": fmt})
    assert response.status_code == 200, response.text
    if fmt == "xlsx":
        book = openpyxl.load_workbook(io.BytesIO(response.content))
        reviews = book["Xem xét xóa tên"]
        assert [c.value for c in reviews[1]] == ["Họ và tên", "Tổ chức", "Lý do", "Số lượng", "Ngày"]
        assert [c.value for c in reviews[2]] == ["Lê Văn Tư", "Chi bộ Văn phòng Sở",
                                                 "Không đóng đảng phí (số tháng trong năm)", 4, "15/04/2026"]
        late = book["Dự bị quá hạn"]
        assert [c.value for c in late[1]] == ["Họ và tên", "Tổ chức", "Lý do", "Số lượng", "Ngày",
                                              "Ngày kết nạp"]
        # on 30 April: 38 working days after the mark (17 April was the 31st; 27 and 30 April are days off in the
        # shared holidays); Tám was decided on 20 April
        assert [[c.value for c in row] for row in late.iter_rows(min_row=2)] == [
            ["Phạm Thị Hoa", "Chi bộ Bảo tàng tỉnh",
             "Quá hạn xét chuyển chính thức (số ngày làm việc sau 12 tháng dự bị)", 38, "05/03/2026",
             "05/03/2025"]]
        assert "Vắng sinh hoạt" in book.sheetnames
    else:
        import unicodedata
        text = " ".join(unicodedata.normalize("NFC", "\n".join(
            p.extract_text() for p in pypdf.PdfReader(io.BytesIO(response.content)).pages)).split())
        for expected in ("Đảng viên cần xem xét xóa tên", "Lê Văn Tư", "Phạm Thị Hoa",
                         "Quá hạn xét chuyển chính thức", "Vắng sinh hoạt có lý do"):
            assert expected in text, expected


async def test_an_alert_event_tells_the_cells_lineage_to_read_its_figures_again_and_a_meeting_does_not(
        reports_settings, ev, serve, sse, bearer):
    import httpx

    from shared.auth import COOKIE_NAME
    from shared.consumer import Envelope
    from reports.bootstrap import create_app
    from reports.subscribers import project_and_push

    def envelopes(items):
        return [Envelope(e, e.subject, None, 1, n) for n, e in enumerate(items, 1)]

    app = create_app(reports_settings)
    runtime, hub = app.state.runtime, app.state.hub
    async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        await project_and_push(runtime, hub, envelopes(ev.tree()))
        token = bearer("sogd", "committee")["Authorization"][7:]
        async with http.stream("GET", "/reports/api/stream", cookies={COOKIE_NAME: token}) as response:
            lines = response.aiter_lines()
            await sse(lines, want=": connected")
            await project_and_push(runtime, hub, envelopes([ev.rated("m1", "phongtc", date(2026, 4, 2), "tot")]))
            meeting = await sse(lines, where=lambda d: d["org_id"] == str(ev.oid("sogd")) and d["period"] == "2026-04")
            assert "refresh" not in meeting  # the counters carry the whole change
            await project_and_push(runtime, hub, envelopes([_review(ev, 3, date(2026, 4, 10))]))
            alert = await sse(lines, where=lambda d: d["org_id"] == str(ev.oid("sogd")) and d["period"] == "2026-04")
            assert alert["refresh"] is True and alert["meetings_held"] == 1


def _restructured(ev):
    """events() plus: Văn phòng moves from Sở GD to Bảo tàng's committee (Cơ quan) on 12 April; a cell the tree
    learns last (Chi bộ Thư viện under Sở GD since 1 April) with a review raised in it before it was known; a
    review raised in Văn phòng on 20 April, after the move; a later, higher review of the same member, year and
    reason on another day (the kept row moves day)."""
    o = ev.oid
    return events(ev) + [
        RemovalReviewRaised(member_id=o("tu"), organization_id=o("thuvien"), cause="unpaid_fees", year=2026, count=3,
                            raised_on=date(2026, 4, 6)),
        OrganizationMoved(organization_id=o("vanphong"), parent_id=o("coquan"), effective_from=date(2026, 4, 12)),
        RemovalReviewRaised(member_id=o("hoa"), organization_id=o("vanphong"), cause="unpaid_fees", year=2026, count=3,
                            raised_on=date(2026, 4, 20)),
        RemovalReviewRaised(member_id=o("hoa"), organization_id=o("vanphong"), cause="unpaid_fees", year=2026, count=5,
                            raised_on=date(2026, 4, 9)),
        ev.org("thuvien", "sogd", "Chi bộ Thư viện", "subordinate_cell", effective_from=date(2026, 4, 1)),
    ]


def test_reviews_and_absence_limits_placed_along_the_tree_as_it_was_are_those_the_tree_pieces_select(engine, ev):
    """alert_at (each alert once per org on its cell's path on its day) answers exactly what selecting the
    alerts piece by piece of the tree answers, across a restructure, an org learned after its alert and a
    review replaced by a higher one on another day, with the events in either order."""
    from sqlmodel import Session

    from reports import report_alerts, tree
    from reports.models import AlertAt  # noqa: F401 (the table the placed path reads)
    asks = [(slug, start, end) for slug in ("tinh", "coquan", "sogd", "vanphong", "thuvien", "baotang")
            for start, end in ((date(2026, 4, 1), date(2026, 4, 30)), (date(2026, 4, 1), date(2026, 4, 11)),
                               (date(2026, 4, 12), date(2026, 4, 30)), (date(2026, 1, 1), date(2026, 12, 31)))]

    def both():
        out = []
        with Session(engine) as session:
            for slug, start, end in asks:
                root = str(ev.oid(slug))
                pieces = tree.pieces(session, [root], start, end)
                placed = report_alerts.figures(session, pieces, root, start, end, date(2026, 4, 17), as_was=True)
                selected = report_alerts.figures(session, pieces, root, start, end, date(2026, 4, 17))
                assert placed == selected, (slug, start, end)
                for shown in (0, 1, 2):  # a dashboard's first ones, counted and cut by the database on the placed path
                    assert report_alerts.figures(session, pieces, root, start, end, date(2026, 4, 17), shown,
                                                 as_was=True) == report_alerts.figures(
                        session, pieces, root, start, end, date(2026, 4, 17), shown), (slug, start, end, shown)
                out.append(placed)
        return out

    forward = _restructured(ev)
    for start in range(0, len(forward), 4):
        project(engine, forward[start:start + 4])
    answers = both()
    listed = {(slug, a.day, b.day): len(x["removal_reviews"]) for (slug, a, b), x in zip(asks, answers) if a.month == 4}
    # Sở GD in April: Tư in Thư viện (6 April) and Hoa's kept review in Văn phòng (9 April); Tư's kept review
    # in Văn phòng (15 April) is under Cơ quan directly, Văn phòng having moved on 12 April
    assert (listed[("sogd", 1, 30)], listed[("coquan", 12, 30)], listed[("sogd", 12, 30)]) == (2, 1, 0)
    assert (listed[("vanphong", 1, 30)], listed[("vanphong", 1, 11)], listed[("thuvien", 1, 30)]) == (2, 1, 1)
    from reports.models import Base
    with engine.begin() as conn:  # the same events again on an empty projection, in the other order
        for table in Base.metadata.sorted_tables:
            if table.name not in ("stat_band", "alert_rule", "projection_generation", "projection_lock", "roll_basis"):
                conn.execute(table.delete())
    backwards = list(reversed(forward))
    for start in range(0, len(backwards), 3):
        project(engine, backwards[start:start + 3])
    assert both() == answers
