"""Exports read back: the XLSX with openpyxl, the PDF with pypdf; export jobs run to 100 % and download."""
import asyncio
import io
import time
import unicodedata
from datetime import date

import httpx
import openpyxl
import pypdf

from shared.auth import COOKIE_NAME
from reports.usecases import project

MARCH = date(2026, 3, 12)


def _load(client, ev):
    project(client.app.state.runtime.engine, [
        *ev.tree(), ev.recorded("m1", "phongtc", MARCH), ev.rated("m1", "phongtc", MARCH, "tot"),
        ev.rated("m2", "vanphong", MARCH, "kha", present=5, expected=6, speakers=2), ev.recorded("m3", "baotang", MARCH)])


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def pdf_text(content: bytes) -> str:
    """The PDF's text, NFC-normalised, with line breaks and runs of spaces made single spaces."""
    text = "\n".join(page.extract_text() for page in pypdf.PdfReader(io.BytesIO(content)).pages)
    return " ".join(nfc(text).split())


def export(client, bearer, slug="coquan", role="committee", **params):
    params = {"org": str(client.ev.oid(slug)), "period": "2026-Q1", **params}
    return client.get("/reports/api/export", params=params, headers=bearer(slug, role))


def test_an_xlsx_export_has_a_formatted_sheet_per_table_with_vietnamese_headers_and_numbers(client, ev, bearer):
    _load(client, ev)
    client.ev = ev
    response = export(client, bearer, format="xlsx")
    assert response.status_code == 200, response.text
    assert response.headers["content-type"].startswith("application/vnd.openxmlformats")
    assert "attachment" in response.headers["content-disposition"]
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["Tổng hợp", "Sinh hoạt chi bộ", "Xếp loại theo đơn vị", "Dự họp theo đơn vị",
                               "Cơ cấu đảng viên", "Biến động đảng viên", "Đảng phí", "Đánh giá, xếp loại",
                               "Xem xét xóa tên", "Vắng sinh hoạt", "Dự bị quá hạn"]
    summary = book["Tổng hợp"]
    assert [c.value for c in summary[1]] == ["Chỉ tiêu", "Số lượng", "Tỷ lệ"] and summary.freeze_panes == "A2"
    values = {row[0].value: row[1:] for row in summary.iter_rows(min_row=2)}
    assert values["Số buổi sinh hoạt đã tổ chức"][0].value == 3
    assert values["Số buổi sinh hoạt đã tổ chức"][0].number_format == "#,##0"
    # 21 present of 24 expected (8/9 + 5/6 + 8/9) → 87.5 %, a number formatted as a percentage
    present, rate = values["Lượt đảng viên dự sinh hoạt (tỷ lệ trên số phải dự)"]
    assert (present.value, rate.value, rate.number_format) == (21, 0.875, "0.0%")
    assert values["Số buổi xếp loại Tốt"][1].value == 0.333  # 1 of 3, half up to 33.3 %
    ratings = book["Xếp loại theo đơn vị"]
    assert [c.value for c in ratings[1]] == ["Tổ chức đảng", "Số buổi", "Tốt", "Khá", "Trung bình", "Kém",
                                             "Chưa xếp loại", "Tỷ lệ Tốt"]
    rows = [[c.value for c in row] for row in ratings.iter_rows(min_row=2)]
    assert rows == [["Chi bộ Bảo tàng tỉnh", 1, 0, 0, 0, 0, 1, 0.0],
                    ["Đảng bộ Sở Giáo dục và Đào tạo", 2, 1, 1, 0, 0, 0, 0.5],
                    ["Tổng cộng: Đảng bộ các cơ quan Đảng tỉnh", 3, 1, 1, 0, 0, 1, 0.333]]
    assert ratings.column_dimensions["A"].width > 30 and ratings["B2"].data_type == "n"


def test_a_pdf_export_reads_back_as_a_vietnamese_administrative_report(client, ev, bearer):
    _load(client, ev)
    client.ev = ev
    response = export(client, bearer, format="pdf", period="2026-03")
    assert response.status_code == 200 and response.headers["content-type"] == "application/pdf"
    text = pdf_text(response.content)
    for expected in ("ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG ỦY CÁC CƠ QUAN ĐẢNG TỈNH", "TỈNH ỦY PHÚ THỌ", "Số -BC/ĐU",
                     f"Phú Thọ, ngày {date.today().day:02d} tháng {date.today().month:02d} năm {date.today().year}",
                     "BÁO CÁO", "Kết quả sinh hoạt chi bộ và công tác đảng viên",
                     "Đảng bộ các cơ quan Đảng tỉnh — Tháng 3/2026", "Đảng bộ Sở Giáo dục và Đào tạo",
                     "Chi bộ Bảo tàng tỉnh", "Xếp loại chất lượng sinh hoạt theo đơn vị", "87,5%", "33,3%",
                     "T/M BAN THƯỜNG VỤ", "BÍ THƯ", "Nơi nhận:"):
        assert expected in text, expected


def test_a_cell_secretary_exports_the_cells_report_signed_for_the_cell(client, ev, bearer):
    _load(client, ev)
    client.ev = ev
    text = pdf_text(export(client, bearer, "phongtc", "secretary", format="pdf", period="2026-03").content)
    assert "CHI BỘ PHÒNG TỔ CHỨC CÁN BỘ" in text and "-BC/CB" in text and "T/M CHI BỘ" in text
    assert "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text  # the committee above it


def test_an_unknown_export_format_is_rejected_naming_the_field_in_both_languages(client, ev, bearer):
    _load(client, ev)
    client.ev = ev
    for fmt in ("docx", ""):
        response = export(client, bearer, format=fmt)
        assert response.status_code == 422
        detail = response.json()["detail"][0]
        assert detail["field"] == "format" and "Định dạng xuất không hợp lệ" in detail["msg_vi"] and detail["msg_en"]


def test_an_export_outside_the_subtree_or_by_a_plain_member_is_forbidden(client, ev, bearer):
    _load(client, ev)
    outside = client.get("/reports/api/export", params={"org": str(ev.oid("coquan")), "format": "pdf"},
                         headers=bearer("sogd", "committee"))
    assert outside.status_code == 403 and "Ngoài phạm vi" in outside.json()["detail"][0]["msg_vi"]
    member = client.get("/reports/api/export", params={"format": "pdf"}, headers=bearer("phongtc", "member"))
    assert member.status_code == 403
    assert client.get("/reports/api/export", params={"format": "pdf"}).status_code == 401


def _wait_for_job(client, headers, location, timeout=30.0):
    deadline = time.monotonic() + timeout
    while True:
        job = client.get(location, headers=headers).json()
        if job["status"] in ("done", "failed") or time.monotonic() > deadline:
            return job
        time.sleep(0.05)  # poll interval of the test, not of the page


def test_a_province_export_job_reaches_100_percent_and_its_file_lists_every_organization(client, ev, bearer):
    _load(client, ev)
    headers = bearer("tinh", "province")
    response = client.post("/reports/api/export-jobs", json={"period": "2026-Q1", "format": "xlsx"}, headers=headers)
    assert response.status_code == 202
    job_id = response.json()["id"]
    assert response.headers["location"] == f"/reports/api/export-jobs/{job_id}"
    job = _wait_for_job(client, headers, response.headers["location"])
    assert (job["status"], job["percent"], job["rows_done"], job["rows_total"]) == ("done", 100, 5, 5)
    assert job["tables_done"] == job["tables_total"] == 14 and job["status_vi"] == "Hoàn thành"
    file = client.get(job["file_url"], headers=headers)
    assert file.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(file.content))["Xếp loại theo đơn vị"]
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert [n.strip() for n in names] == ["Đảng bộ các cơ quan Đảng tỉnh", "Chi bộ Bảo tàng tỉnh",
                                           "Đảng bộ Sở Giáo dục và Đào tạo", "Chi bộ Phòng Tổ chức cán bộ",
                                           "Chi bộ Văn phòng Sở", "Tổng cộng: Đảng bộ tỉnh Phú Thọ"]
    assert names[3].startswith("        ")  # indented two levels under the province
    assert [row[1].value for row in sheet.iter_rows(min_row=2)] == [3, 1, 2, 1, 1, 3]


def test_only_the_subtree_of_the_jobs_organization_may_read_it(client, ev, bearer):
    _load(client, ev)
    created = client.post("/reports/api/export-jobs", json={"org_id": str(ev.oid("sogd")), "format": "pdf",
                                                            "period": "2026"}, headers=bearer("coquan", "committee"))
    location = created.headers["location"]
    assert _wait_for_job(client, bearer("coquan", "committee"), location)["status"] == "done"
    assert client.get(location, headers=bearer("sogd", "committee")).status_code == 200
    assert client.get(location, headers=bearer("baotang", "secretary")).status_code == 403
    assert client.get(location + "/file", headers=bearer("phongtc", "secretary")).status_code == 403
    text = pdf_text(client.get(location + "/file", headers=bearer("tinh", "province")).content)
    assert "ĐẢNG ỦY SỞ GIÁO DỤC VÀ ĐÀO TẠO" in text and "Chi bộ Văn phòng Sở" in text


def test_a_job_request_with_a_bad_format_or_period_creates_nothing(client, ev, bearer):
    _load(client, ev)
    headers = bearer("tinh", "province")
    bad_format = client.post("/reports/api/export-jobs", json={"format": "csv"}, headers=headers)
    bad_period = client.post("/reports/api/export-jobs", json={"format": "pdf", "period": "2026-Q5"}, headers=headers)
    assert [r.status_code for r in (bad_format, bad_period)] == [422, 422]
    assert [r.json()["detail"][0]["field"] for r in (bad_format, bad_period)] == ["format", "period"]
    from reports.jobs import JOB
    with client.app.state.runtime.engine.connect() as conn:
        assert conn.execute(JOB.select()).first() is None


async def test_the_progress_stream_ends_at_100_percent_and_leaves_nothing_behind(reports_settings, ev, serve, sse,
                                                                                   bearer):
    from reports.bootstrap import create_app
    app = create_app(reports_settings)
    async with serve(app) as base, httpx.AsyncClient(base_url=base, timeout=20) as http:
        project(app.state.runtime.engine, [*ev.tree(), ev.rated("m1", "phongtc", MARCH, "tot")])
        token = bearer("tinh", "province")["Authorization"][7:]
        http.cookies.set(COOKIE_NAME, token)
        created = (await http.post("/reports/api/export-jobs", json={"format": "pdf", "period": "2026"})).json()
        seen = []
        async with http.stream("GET", f"/reports/api/export-jobs/{created['id']}/stream") as response:
            assert response.headers["content-type"].startswith("text/event-stream")
            lines = response.aiter_lines()
            while not seen or seen[-1]["status"] not in ("done", "failed"):
                seen.append(await sse(lines, want="progress"))
        assert seen[-1]["percent"] == 100 and seen[-1]["file_url"]
        assert [s["percent"] for s in seen] == sorted(s["percent"] for s in seen)
        deadline = time.monotonic() + 5
        while len(app.state.export_jobs):
            assert time.monotonic() < deadline, "a progress stream was left behind"
            await asyncio.sleep(0.02)


def test_a_job_commits_its_progress_after_each_chunk_of_organizations(client, ev, bearer):
    from reports import jobs
    _load(client, ev)
    engine = client.app.state.runtime.engine
    job_id = jobs.create(engine, creator="province-tinh", creator_org_id=str(ev.oid("tinh")), org_id=str(ev.oid("tinh")),
                         period="2026-Q1", fmt="xlsx")
    seen = []  # what a reader would see after each step (read from the database, not from the worker)
    jobs.run(engine, job_id, "", notify=lambda: seen.append(
        {k: v for k, v in jobs.read(engine, job_id).items() if k in ("status", "rows_done", "rows_total", "percent")}),
        chunk=2)
    assert seen == [
        {"status": "running", "rows_done": 0, "rows_total": 0, "percent": 0},  # started
        {"status": "running", "rows_done": 2, "rows_total": 5, "percent": 36},  # 90 % × 2/5
        {"status": "running", "rows_done": 4, "rows_total": 5, "percent": 72},
        {"status": "running", "rows_done": 5, "rows_total": 5, "percent": 90},
        {"status": "running", "rows_done": 5, "rows_total": 5, "percent": 99},  # tables written, file not stored yet
        {"status": "done", "rows_done": 5, "rows_total": 5, "percent": 100}]


def test_a_jobs_file_is_not_served_before_the_job_is_done(client, ev, bearer):
    from reports import jobs
    _load(client, ev)
    job_id = jobs.create(client.app.state.runtime.engine, creator="province-tinh", creator_org_id=str(ev.oid("tinh")),
                         org_id=str(ev.oid("tinh")), period="2026", fmt="pdf")  # queued, never started
    response = client.get(f"/reports/api/export-jobs/{job_id}/file", headers=bearer("tinh", "province"))
    assert response.status_code == 409 and "chưa sẵn sàng" in response.json()["detail"][0]["msg_vi"]
    progress = client.get(f"/reports/api/export-jobs/{job_id}", headers=bearer("tinh", "province")).json()
    assert (progress["status"], progress["status_vi"], progress["percent"], progress["file_url"]) == (
        "queued", "Đang chờ", 0, None)
    missing = client.get(f"/reports/api/export-jobs/{ev.oid('nothing')}", headers=bearer("tinh", "province"))
    assert missing.status_code == 404
