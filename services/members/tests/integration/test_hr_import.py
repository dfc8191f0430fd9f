"""The HR export import: preview → commit, the same file twice, a file missing a column, broken rows,
XLSX and CSV, over HTTP and the CLI; on SQLite and PostgreSQL."""
from __future__ import annotations

import csv
import io
import json
from datetime import date

from openpyxl import Workbook
from sqlalchemy import select
from sqlmodel import Session
from typer.testing import CliRunner

from members import finance_models, models
from members.cli import app as cli_app

HEADER = ["Mã nhân sự", "Số CCCD", "Họ và tên", "Đơn vị công tác", "Chức vụ", "Lương đóng BHXH", "Lương hưu"]
LAN = ["NS-0001", "025185000001", "Nguyễn Thị Lan", "Văn phòng Tỉnh ủy", "Chuyên viên", "8500000", ""]
STRANGER = ["NS-0002", "025190009999", "Trần Văn Khách", "Sở Tài chính", "Kế toán", "7000000", ""]


def csv_bytes(rows, header=HEADER) -> bytes:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def xlsx_bytes(rows, header=HEADER) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(header)
    for row in rows:
        sheet.append([int(c) if c.isdigit() and len(c) < 10 else (c or None) for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def upload(client, headers, name: str, content: bytes, effective_from="2026-03-01"):
    return client.post("/members/api/hr/imports", headers=headers, params={"effective_from": effective_from},
                       files={"file": (name, content)})


def employment(engine) -> list[finance_models.Employment]:
    with Session(engine) as s:
        return list(s.exec(select(finance_models.Employment).order_by(finance_models.Employment.valid_from)).scalars())


def test_a_preview_shows_each_row_and_the_commit_applies_the_valid_ones(client, tree, engine, auth):
    headers = auth("province", tree.province)
    broken = ["NS-0003", "12345", "Lê Sai", "Sở X", "Y", "nhiều tiền", ""]
    preview = upload(client, headers, "nhan-su.csv", csv_bytes([LAN, STRANGER, broken]))
    assert preview.status_code == 201, preview.text
    body = preview.json()
    assert body["summary"] == {"new": 1, "update": 0, "unchanged": 0, "skipped": 1, "error": 1, "total": 3}
    lan, stranger, bad = body["rows"]
    assert lan["status"] == "new" and lan["member_id"] == str(tree.member) and lan["line"] == 2
    assert stranger["status"] == "skipped" and stranger["reasons"][0]["vi"] == "Không phải đảng viên — bỏ qua"
    assert {r["field"] for r in bad["reasons"]} == {"cccd", "insured_salary_vnd"}
    assert employment(engine) == []  # a preview applies nothing

    committed = client.post(f"/members/api/hr/imports/{body['id']}/commit", headers=headers)
    assert committed.status_code == 200, committed.text
    assert committed.json()["status"] == "committed"
    [job] = employment(engine)
    assert (job.member_id, job.hr_employee_id, job.unit, job.insured_salary_vnd, job.valid_from) == (
        tree.member, "NS-0001", "Văn phòng Tỉnh ủy", 8_500_000, date(2026, 3, 1))
    dues = client.get("/members/api/fees/dues", headers=headers,
                      params={"organization_id": str(tree.cell), "month": "2026-04-01"}).json()
    assert dues["items"][0]["due_vnd"] == 85_000  # the import feeds the fee


def test_importing_the_same_xlsx_twice_changes_nothing_the_second_time(client, tree, engine, auth, rows):
    headers = auth("province", tree.province)
    content = xlsx_bytes([LAN, STRANGER])
    first = upload(client, headers, "nhan-su.xlsx", content).json()
    assert first["summary"]["new"] == 1
    client.post(f"/members/api/hr/imports/{first['id']}/commit", headers=headers)
    before = (rows(engine), [(j.id, j.unit, j.insured_salary_vnd) for j in employment(engine)])
    second = upload(client, headers, "nhan-su.xlsx", content).json()
    assert second["summary"] == {"new": 0, "update": 0, "unchanged": 1, "skipped": 1, "error": 0, "total": 2}
    assert client.post(f"/members/api/hr/imports/{second['id']}/commit", headers=headers).status_code == 200
    after = (rows(engine), [(j.id, j.unit, j.insured_salary_vnd) for j in employment(engine)])
    assert after[1] == before[1] and after[0]["change_log"] == before[0]["change_log"] + 1  # the import's own entry


def test_a_changed_salary_is_an_update_with_before_and_after(client, tree, engine, auth):
    headers = auth("province", tree.province)
    first = upload(client, headers, "a.csv", csv_bytes([LAN])).json()
    client.post(f"/members/api/hr/imports/{first['id']}/commit", headers=headers)
    raised = [*LAN[:5], "9000000", ""]
    second = upload(client, headers, "b.csv", csv_bytes([raised]), effective_from="2026-05-01").json()
    assert second["rows"][0]["status"] == "update"
    assert second["rows"][0]["changes"] == {"insured_salary_vnd": [8_500_000, 9_000_000]}
    client.post(f"/members/api/hr/imports/{second['id']}/commit", headers=headers)
    assert [j.insured_salary_vnd for j in employment(engine)] == [8_500_000, 9_000_000]


def test_a_file_missing_a_required_column_is_refused_as_a_whole(client, tree, engine, auth, rows):
    before = rows(engine, finance_models.HrImport)
    header = [h for h in HEADER if h != "Lương đóng BHXH"]
    response = upload(client, auth("province", tree.province), "thieu-cot.csv",
                      csv_bytes([[c for i, c in enumerate(LAN) if i != 5]], header))
    assert response.status_code == 422
    problem = response.json()["detail"][0]
    assert problem["field"] == "file" and "Lương đóng BHXH" in problem["msg_vi"] and "Missing" in problem["msg_en"]
    assert rows(engine, finance_models.HrImport) == before


def test_a_file_of_another_type_is_refused(client, tree, auth):
    response = upload(client, auth("province", tree.province), "nhan-su.pdf", b"%PDF-1.4")
    assert response.status_code == 422 and response.json()["detail"][0]["field"] == "file"


def test_two_rows_for_one_employee_are_both_errors(client, tree, auth):
    body = upload(client, auth("province", tree.province), "x.csv", csv_bytes([LAN, LAN])).json()
    assert [r["status"] for r in body["rows"]] == ["error", "error"]
    assert "Trùng" in body["rows"][0]["reasons"][0]["vi"]


def test_a_committee_cannot_import_rows_of_members_outside_its_subtree(client, tree, auth):
    body = upload(client, auth("committee", tree.other_committee), "x.csv", csv_bytes([LAN])).json()
    assert body["rows"][0]["status"] == "error" and "ngoài phạm vi" in body["rows"][0]["reasons"][0]["vi"]


def test_a_secretary_may_not_import_and_a_preview_cannot_be_committed_twice(client, tree, auth):
    assert upload(client, auth("secretary", tree.cell), "x.csv", csv_bytes([LAN])).status_code == 403
    headers = auth("province", tree.province)
    body = upload(client, headers, "x.csv", csv_bytes([LAN])).json()
    assert client.post(f"/members/api/hr/imports/{body['id']}/commit", headers=headers).status_code == 200
    again = client.post(f"/members/api/hr/imports/{body['id']}/commit", headers=headers)
    assert again.status_code == 422 and again.json()["detail"][0]["field"] == "import_id"


def test_the_cli_previews_and_commits_with_a_progress_bar(tree, engine, database_url, tmp_path):
    path = tmp_path / "nhan-su.csv"
    path.write_bytes(csv_bytes([LAN, STRANGER]))
    result = CliRunner().invoke(cli_app, ["hr", "import", str(path), "--commit", "--effective-from", "2026-03-01",
                                          "--database-url", database_url])
    assert result.exit_code == 0, result.output
    assert "Xem trước / preview" in result.output and "Không phải đảng viên — bỏ qua" in result.output
    committed = json.loads(result.output.split("committed: ")[1].splitlines()[0])
    assert committed["new"] == 1 and committed["skipped"] == 1
    assert [j.hr_employee_id for j in employment(engine)] == ["NS-0001"]


def test_the_cli_refuses_a_file_missing_a_column(tree, database_url, tmp_path):
    path = tmp_path / "bad.csv"
    path.write_bytes(csv_bytes([["NS-1"]], ["Mã nhân sự"]))
    result = CliRunner().invoke(cli_app, ["hr", "import", str(path), "--database-url", database_url])
    assert result.exit_code == 2 and "Thiếu cột bắt buộc" in result.output


def test_the_preview_rows_can_be_filtered_by_status_and_paged(client, tree, auth):
    headers = auth("province", tree.province)
    broken = ["NS-0003", "12345", "Lê Sai", "Sở X", "Y", "8000000", ""]
    preview = upload(client, headers, "x.csv", csv_bytes([LAN, STRANGER, broken])).json()
    errors = client.get(f"/members/api/hr/imports/{preview['id']}", headers=headers, params={"status": "error"}).json()
    assert errors["rows_matching"] == 1 and [r["line"] for r in errors["rows"]] == [4]
    page = client.get(f"/members/api/hr/imports/{preview['id']}", headers=headers,
                      params={"offset": 1, "limit": 1}).json()
    assert page["rows_matching"] == 3 and [r["line"] for r in page["rows"]] == [3]
    assert page["summary"]["total"] == 3


def test_an_xlsx_row_with_words_for_a_salary_is_a_row_error_and_a_corrupt_xlsx_is_refused(client, tree, auth):
    headers = auth("province", tree.province)
    body = upload(client, headers, "x.xlsx", xlsx_bytes([[*LAN[:5], "tám triệu", ""]])).json()
    assert body["rows"][0]["status"] == "error" and body["rows"][0]["reasons"][0]["field"] == "insured_salary_vnd"
    corrupt = upload(client, headers, "x.xlsx", b"PK\x03\x04 not really a workbook")
    assert corrupt.status_code == 422 and corrupt.json()["detail"][0]["msg_vi"] == "Không đọc được tệp XLSX"


def test_a_preview_gone_stale_is_matched_again_at_the_commit_and_keeps_what_the_commit_found(client, tree, engine,
                                                                                               auth):
    headers = auth("province", tree.province)
    stale = upload(client, headers, "a.csv", csv_bytes([LAN])).json()
    assert stale["rows"][0]["status"] == "new"
    fresh = upload(client, headers, "b.csv", csv_bytes([LAN])).json()
    assert client.post(f"/members/api/hr/imports/{fresh['id']}/commit", headers=headers).status_code == 200
    committed = client.post(f"/members/api/hr/imports/{stale['id']}/commit", headers=headers)
    assert committed.status_code == 200 and committed.json()["summary"]["unchanged"] == 1
    shown = client.get(f"/members/api/hr/imports/{stale['id']}", headers=headers).json()
    assert [(r["status"], r["changes"]) for r in shown["rows"]] == [("unchanged", {})]  # not the preview's "new"
    assert len(employment(engine)) == 1  # applied once


def test_a_commit_of_an_unchanged_preview_shows_the_rows_as_previewed(client, tree, engine, auth):
    headers = auth("province", tree.province)
    broken = ["NS-0003", "12345", "Lê Sai", "Sở X", "Y", "nhiều tiền", ""]
    preview = upload(client, headers, "a.csv", csv_bytes([LAN, STRANGER, broken])).json()
    assert client.post(f"/members/api/hr/imports/{preview['id']}/commit", headers=headers).status_code == 200
    shown = client.get(f"/members/api/hr/imports/{preview['id']}", headers=headers).json()
    assert shown["status"] == "committed" and shown["rows"] == preview["rows"]
    assert shown["summary"] == preview["summary"]
