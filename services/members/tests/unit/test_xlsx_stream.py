"""The streaming XLSX reader gives the same plain values as openpyxl, and hands odd workbooks back."""
from __future__ import annotations

import io

import pytest
from openpyxl import Workbook, load_workbook

from members import xlsx_stream
from members.searchkey import search_key


def workbook(rows: list[list], write_only: bool = False) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet("Nhân sự") if write_only else book.active
    for row in rows:
        sheet.append(row)
    if not write_only:
        book.create_sheet("Khác").append(["not this one"])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


ROWS = [["Mã nhân sự", "Số CCCD", "Họ và tên", "Lương đóng BHXH", "Lương hưu"],
        ["NS-1", "025185000001", "Nguyễn Thị Lan", 5_310_450, None],
        [None, None, None, None, None],
        ["NS-2", 25185000002, "Đặng Văn Hải", 4.5, "không"],
        ["NS-3", "025185000003", None, None, 3_000_000]]


@pytest.mark.parametrize("write_only", [False, True])
def test_the_fast_reader_reads_the_same_values_as_openpyxl(write_only):
    content = workbook(ROWS, write_only)
    sheet = load_workbook(io.BytesIO(content), read_only=True, data_only=True).worksheets[0]
    expected = [[v for v in row] for row in sheet.iter_rows(values_only=True)]
    got = list(xlsx_stream.rows(content))
    strip = lambda rows: [list(r) + [None] * (5 - len(r)) for r in rows]  # noqa: E731  trailing empties
    assert strip(got) == strip(expected)
    assert got[1][1] == "025185000001" and got[3][1] == 25185000002  # text keeps its leading zero


def test_the_row_count_comes_from_the_sheet_dimension():
    assert xlsx_stream.row_count(workbook(ROWS)) == 5


def test_a_file_that_is_not_a_workbook_is_handed_back_to_openpyxl():
    with pytest.raises(xlsx_stream.Unsupported):
        list(xlsx_stream.rows(b"PK\x03\x04 not really a zip"))


def test_the_search_key_drops_diacritics_case_and_extra_spaces():
    assert search_key("  Nguyễn  Văn Ấn ") == "nguyen van an"
    assert search_key("ĐẶNG THỊ HẠNH") == "dang thi hanh"
    assert search_key("Lê Thị Thuỷ") == search_key("le thi thuy")
    assert search_key(None) == ""
