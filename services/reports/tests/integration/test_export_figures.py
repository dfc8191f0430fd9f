"""The exports carry every figure group of the figures API, as designed tables, with the figures computed by hand
for the small province (province_events.py; see test_figures.py): XLSX read back with openpyxl, PDF with pypdf."""
import io
import re
import unicodedata
from pathlib import Path

import openpyxl
import pypdf

from reports.figure_tables import DESIGNED

SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"  # kept to be looked at


def _export(client, ev, bearer, province, fmt, slug="K"):
    province.load(client.app.state.runtime.engine, ev)
    response = client.get("/reports/api/export", headers=bearer("P", "province"),
                          params={"org": str(ev.oid(slug)), "period": "2026-03", "format": fmt})
    assert response.status_code == 200, response.text
    return response.content


def _rows(sheet):
    """The sheet's rows without the empty cells a wider table above or below leaves at their end."""
    rows = [[c.value for c in row] for row in sheet.iter_rows()]
    for row in rows:
        while row and row[-1] is None:
            row.pop()
    return rows


def _by_label(sheet):
    return {row[0].value: row for row in sheet.iter_rows() if row[0].value}


def test_the_figures_answer_has_no_group_without_a_designed_table(client, ev, bearer, province):
    province.load(client.app.state.runtime.engine, ev)
    body = client.get("/reports/api/figures", params={"org_id": str(ev.oid("K")), "period": "2026-03"},
                      headers=bearer("P", "province")).json()
    assert set(body) <= DESIGNED


def test_the_xlsx_export_of_a_committee_carries_each_group_computed_by_hand(client, ev, bearer, province):
    content = _export(client, ev, bearer, province, "xlsx")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "reports-export-K-2026-03.xlsx").write_bytes(content)
    book = openpyxl.load_workbook(io.BytesIO(content))
    assert book.sheetnames == ["Tổng hợp", "Sinh hoạt chi bộ", "Xếp loại theo đơn vị", "Dự họp theo đơn vị",
                               "Cơ cấu đảng viên", "Biến động đảng viên", "Đảng phí", "Đánh giá, xếp loại",
                               "Xem xét xóa tên", "Vắng sinh hoạt", "Dự bị quá hạn"]
    summary = _by_label(book["Tổng hợp"])
    assert [c.value for c in summary["Số buổi không tổ chức theo quy định"]] == [
        "Số buổi không tổ chức theo quy định", 2, 0.5]
    assert summary["Số buổi không tổ chức theo quy định"][2].number_format == "0.0%"
    assert summary["Tổng số đảng viên (đến ngày 31/03/2026)"][1].value == 5
    meetings = _rows(book["Sinh hoạt chi bộ"])
    assert meetings[0] == ["Loại sinh hoạt", "Phải tổ chức", "Đã tổ chức", "Không tổ chức", "Tỷ lệ không tổ chức"]
    assert meetings[1:5] == [["Sinh hoạt thường kỳ", 2, 1, 1, 0.5], ["Sinh hoạt chuyên đề", 2, 1, 1, 0.5],
                             ["Họp cấp ủy (chi ủy, đảng ủy)", 0, 0, 0], ["Cộng", 4, 2, 2, 0.5]]
    assert ["Tốt", 1, 0.333] in meetings and ["Chưa xếp loại", 1, 0.333] in meetings
    assert ["Lượt đảng viên dự sinh hoạt / phải dự", 9, 11, 0.818] in meetings
    assert ["Lượt đảng viên phát biểu / có mặt", 5, 9, 0.556] in meetings
    assert "Xếp loại chất lượng buổi sinh hoạt" in [r[0] for r in meetings if r]  # the third table's title row
    roll = _by_label(book["Cơ cấu đảng viên"])
    assert [c.value for c in roll["Đảng viên chính thức"]] == ["Đảng viên chính thức", 4, 0.8]
    assert roll["Đảng viên chính thức"][1].number_format == "#,##0"
    assert roll["Đảng viên chính thức"][2].number_format == "0.0%"
    assert (roll["Đến 30 tuổi"][1].value, roll["Từ 51 đến 60 tuổi"][1].value, roll["Mường"][1].value) == (2, 2, 1)
    assert (roll["Cao cấp"][1].value, roll["Từ 20 đến dưới 30 năm"][1].value, roll["Trường học"][1].value) == (1, 1, 2)
    assert roll["Trạng thái"][0].font.bold and roll["Trạng thái"][1].value is None
    changes = _by_label(book["Biến động đảng viên"])
    assert (changes["Chuyển sinh hoạt đến"][1].value, changes["Từ trần"][1].value, changes["Khai trừ"][1].value) == (
        2, 1, 0)
    fees = _by_label(book["Đảng phí"])
    assert (fees["Đảng phí phải thu (đồng)"][1].value, fees["Đảng phí đã thu (đồng)"][1].value,
            fees["Tỷ lệ đã thu"][1].value, fees["Số đảng viên chưa nộp đủ"][1].value) == (185000, 145000, 0.784, 1)
    grades = _by_label(book["Đánh giá, xếp loại"])
    assert [c.value for c in grades["Hoàn thành tốt nhiệm vụ"]] == ["Hoàn thành tốt nhiệm vụ", 1, 0.333, 2, 0.667]
    texts = [c.value for s in book.worksheets for row in s.iter_rows() for c in row if isinstance(c.value, str)]
    assert not [t for t in texts + book.sheetnames if re.fullmatch(r"[a-z_0-9]+", t)]  # no English key


def test_the_pdf_export_has_a_numbered_section_per_group_with_the_figures(client, ev, bearer, province):
    content = _export(client, ev, bearer, province, "pdf")
    SHOTS.mkdir(parents=True, exist_ok=True)
    (SHOTS / "reports-export-K-2026-03.pdf").write_bytes(content)
    text = " ".join(unicodedata.normalize("NFC", "\n".join(
        p.extract_text() for p in pypdf.PdfReader(io.BytesIO(content)).pages)).split())
    for expected in ("1. Tổng hợp kết quả", "2. Sinh hoạt chi bộ", "2.1. Tổ chức sinh hoạt theo quy định",
                     "2.3. Xếp loại chất lượng buổi sinh hoạt", "3. Xếp loại chất lượng sinh hoạt theo đơn vị",
                     "4. Đảng viên dự sinh hoạt theo đơn vị", "5. Cơ cấu đảng viên (đến ngày 31/03/2026)",
                     "6. Biến động đảng viên", "7. Thu, nộp đảng phí", "8. Đánh giá, xếp loại đảng viên và tổ chức",
                     "9. Cảnh báo", "9.1. Đảng viên cần xem xét xóa tên", "Sinh hoạt thường kỳ 2 1 1 50,0%",
                     "Đảng viên chính thức 4 80,0%", "Đảng phí phải thu (đồng) 185.000", "Tỷ lệ đã thu 78,4%",
                     "Hoàn thành tốt nhiệm vụ 1 33,3% 2 66,7%", "Lý luận chính trị", "Tuổi đảng"):
        assert expected in text, expected
    assert not re.search(r"\b(held_by_kind|levels|unrated|due_vnd|transferred_in)\b", text)
