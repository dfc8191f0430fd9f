"""The fast XLSX reader (anchored patterns over the sheet XML) gives exactly what the general one
(``iterparse``) gives, hands over to it at the first markup it does not know, and an HR file read as XLSX
gives the same rows as the same file as CSV."""
from __future__ import annotations

import csv
import io
import zipfile

import pytest
from openpyxl import Workbook

from members import hr, xlsx_stream

MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
WORKBOOK = (f'<workbook xmlns="{MAIN}" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">'
            '<sheets><sheet name="Nhân sự" sheetId="1" r:id="rId1"/></sheets></workbook>')
RELS = ('<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
        '<Relationship Id="rId1" Type="worksheet" Target="worksheets/sheet1.xml"/></Relationships>')


def package(sheet_data: str, strings: list[str] | str | None = None, head: str = '<?xml version="1.0" '
            'encoding="UTF-8" standalone="yes"?>\n') -> bytes:
    """A minimal workbook whose first sheet holds ``sheet_data`` (the children of <sheetData>)."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as z:
        z.writestr("xl/workbook.xml", WORKBOOK)
        z.writestr("xl/_rels/workbook.xml.rels", RELS)
        z.writestr("xl/worksheets/sheet1.xml", f'{head}<worksheet xmlns="{MAIN}" xmlns:x14ac="urn:x"><dimension '
                                                f'ref="A1:D9"/><sheetData>{sheet_data}</sheetData></worksheet>')
        if isinstance(strings, list):
            strings = "".join(f"<si><t>{s}</t></si>" for s in strings)
        if strings is not None:
            z.writestr("xl/sharedStrings.xml", f'<sst xmlns="{MAIN}" count="9">{strings}</sst>')
    return out.getvalue()


def both(content: bytes) -> tuple[list, list, bool]:
    """What rows() gives, what the general reader alone gives, and whether the fast one read it all."""
    book = zipfile.ZipFile(io.BytesIO(content))
    strings = xlsx_stream._shared_strings(book)
    general = list(xlsx_stream._stream(book, book.open("xl/worksheets/sheet1.xml"), strings))
    try:
        list(xlsx_stream._scan(zipfile.ZipFile(io.BytesIO(content)).read("xl/worksheets/sheet1.xml"), strings))
        fast_all = True
    except xlsx_stream._Unknown:
        fast_all = False
    return list(xlsx_stream.rows(content)), general, fast_all


PLAIN = (
    '<row r="1" spans="1:4" x14ac:dyDescent="0.25"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
    '<c r="C1" t="inlineStr"><is><t>Lương &amp; phụ cấp</t></is></c></row>'
    # numbers: integer, negative, decimal, exponent; a date cell (a style) is its serial number
    '<row r="2"><c r="A2"><v>5310450</v></c><c r="B2" s="3"><v>-12</v></c><c r="C2" t="n"><v>4.5</v></c>'
    '<c r="D2" s="7"><v>46082</v></c></row>'
    # text kept as typed (leading zero), an empty cell, a cell without a value, a skipped column
    '<row r="3"><c r="A3" t="s"><v>2</v></c><c r="B3" s="1"/><c r="C3" t="s"></c><c r="D3" t="str"><v>NS-3</v></c>'
    '</row>'
    # a row left out (4), then booleans, an error, a formula with its cached value, inline text with entities
    '<row r="5"><c r="A5" t="b"><v>1</v></c><c r="B5" t="b"><v>0</v></c><c r="C5" t="e"><v>#N/A</v></c>'
    '<c r="D5"><f>SUM(A2:B2)</f><v>5310438</v></c></row>'
    '<row r="6"><c r="A6" t="inlineStr"><is><t xml:space="preserve"> Đ&#7843;ng &lt;1&gt; </t></is></c>'
    '<c r="B6" t="inlineStr"><is><t/></is></c><c r="C6" t="inlineStr"><is/></c><c r="D6" t="inlineStr"></c></row>'
    '<row r="7"/>'
    '<row r="8"><c t="inlineStr"><is><t>no ref</t></is></c><c><v>7</v></c></row>')
STRINGS = ["Mã nhân sự", "Số CCCD", "025185000001"]


def test_the_fast_reader_reads_numbers_dates_shared_and_inline_strings_and_empty_cells_like_the_general_one():
    got, general, fast_all = both(package(PLAIN, STRINGS))
    assert fast_all and got == general
    assert got == [
        ["Mã nhân sự", "Số CCCD", "Lương & phụ cấp"],
        [5310450, -12, 4.5, 46082],  # the date as the sheet holds it: a serial number
        ["025185000001", None, None, "NS-3"],
        [],
        [True, False, "#N/A", 5310438],
        [" Đảng <1> ", "", "", None],
        [],
        ["no ref", 7]]


@pytest.mark.parametrize("odd", [
    '<!-- a comment -->',
    '<row r="9"><c r="A9" t="inlineStr"><is><r><t>rich</t></r><r><t> text</t></r></is></c></row>',
    '<row r="9"><c r="A9" t="inlineStr"><is><t><![CDATA[a <b>]]></t></is></c></row>',
    '<row r="9">\n  <c r="A9" t="inlineStr">\n    <is><t>pretty</t></is>\n  </c>\n</row>',
    '<row r="9"><c t="inlineStr" r="A9"><is><t>attributes in another order</t></is></c></row>',
    "<row r='9'><c r='A9'><v>1</v></c></row>",
    '<row spans="1:1" r="11"><c r="A11"><v>1</v></c></row>',
])
def test_markup_the_fast_reader_does_not_know_is_read_by_the_general_one_from_that_row_on(odd):
    got, general, fast_all = both(package(PLAIN + odd + '<row r="12"><c r="A12"><v>12</v></c></row>', STRINGS))
    assert not fast_all  # handed over...
    assert got == general and got[:8] == both(package(PLAIN, STRINGS))[0] and got[-1] == [12]  # ...losing nothing


def test_line_ends_in_text_are_normalized_as_an_xml_parser_does_but_a_character_reference_is_kept():
    got, general, fast_all = both(package('<row r="1"><c r="A1" t="inlineStr"><is><t>a\r\nb\rc&#13;d</t></is>'
                                          '</c></row>'))
    assert fast_all and got == general == [["a\nb\nc\rd"]]


def test_a_shared_strings_table_with_rich_text_is_read_by_the_general_reader():
    rich = ('<si><t>Mã nhân sự</t></si><si><r><rPr><b/></rPr><t>Số </t></r><r><t>CCCD</t></r></si>'
            '<si><t>0251</t></si>')
    got, general, fast_all = both(package('<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c>'
                                          '<c r="C1" t="s"><v>2</v></c></row>', rich))
    assert fast_all and got == general == [["Mã nhân sự", "Số CCCD", "0251"]]


def test_a_sheet_in_another_encoding_or_with_a_doctype_is_read_by_the_general_reader():
    latin = package('<row r="1"><c r="A1"><v>1</v></c></row>', head='<?xml version="1.0" encoding="ISO-8859-1"?>')
    assert both(latin)[:2] == ([[1]], [[1]]) and not both(latin)[2]


def test_a_character_xml_forbids_is_refused_as_the_general_reader_refuses_it():
    content = package('<row r="1"><c r="A1" t="inlineStr"><is><t>a&#1;b</t></is></c></row>')
    with pytest.raises(SyntaxError):
        list(xlsx_stream.rows(content))


def test_an_unknown_cell_type_is_unsupported_in_both_readers():
    content = package('<row r="1"><c r="A1" t="zz"><v>1</v></c></row>')
    with pytest.raises(xlsx_stream.Unsupported):
        list(xlsx_stream.rows(content))


HEADER = ["Mã nhân sự", "Số CCCD", "Họ và tên", "Đơn vị công tác", "Chức vụ", "Lương đóng BHXH", "Lương hưu"]
ROWS = [["NS-0001", "025185000001", "Nguyễn Thị Lan", "Văn phòng Tỉnh ủy & Ban <Tổ chức>", "Chuyên viên",
         "8500000", ""],
        ["NS-0002", "025190009999", "  Trần   Văn Khách ", "Sở Tài chính", "Kế toán", "7.000.000", "1200000"],
        ["", "", "", "", "", "", ""],
        ["NS-0003", "12345", "Lê Sai", "Sở X", "Y", "nhiều tiền", ""],
        ["NS-0004", "", "Phạm Thu", "Sở Y", "", "6000000", ""]]


def as_csv() -> bytes:
    out = io.StringIO()
    csv.writer(out).writerows([HEADER, *ROWS])
    return out.getvalue().encode("utf-8")


def as_xlsx(write_only: bool) -> bytes:
    book = Workbook(write_only=write_only)
    sheet = book.create_sheet() if write_only else book.active  # inline strings / shared strings
    for row in [HEADER, *ROWS]:
        sheet.append([c or None for c in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


@pytest.mark.parametrize("write_only", [False, True])
def test_an_hr_file_read_as_xlsx_gives_the_same_checked_rows_as_the_same_file_as_csv(write_only):
    mapping = hr.load_mapping()
    from_csv = [(r.line, r.values, r.status, r.reasons) for r in hr.read_rows("a.csv", as_csv(), mapping)]
    from_xlsx = [(r.line, r.values, r.status, r.reasons)
                 for r in hr.read_rows("a.xlsx", as_xlsx(write_only), mapping)]
    assert from_xlsx == from_csv
    assert [line for line, *_ in from_csv] == [2, 3, 5, 6]  # the blank line is skipped in both
    assert from_csv[0][1]["unit"] == "Văn phòng Tỉnh ủy & Ban <Tổ chức>" and from_csv[2][2] == "error"


def test_the_fast_reader_reads_the_whole_of_an_openpyxl_file():
    for write_only in (False, True):
        content = as_xlsx(write_only)
        got, general, fast_all = both(content)
        assert fast_all and got == general and got[1][0] == "NS-0001"
