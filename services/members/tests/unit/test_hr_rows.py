"""Reading an HR export: the column mapping, each row's checks, duplicates and the comparison (pure)."""
from __future__ import annotations

import json

import pytest

from members.hr import FileRefused, Row, classify, load_mapping, mark_duplicates, read_rows

MAPPING = load_mapping()
HEADER = "Mã nhân sự,Số CCCD,Họ và tên,Đơn vị công tác,Chức vụ,Lương đóng BHXH,Lương hưu"


def rows(*lines: str, header: str = HEADER) -> list[Row]:
    return list(read_rows("x.csv", "\n".join([header, *lines]).encode("utf-8"), MAPPING))


def test_headers_match_whatever_their_case_and_spacing():
    [row] = rows("NS-1,025185000001,A,Sở X,CV,8500000,", header=HEADER.upper().replace(",", " ,  "))
    assert row.status == "pending" and row.values["insured_salary_vnd"] == 8_500_000


def test_a_cccd_of_eleven_digits_gets_back_the_leading_zero_a_spreadsheet_dropped():
    [row] = rows("NS-1,25185000001,A,Sở X,CV,8500000,")
    assert row.values["cccd"] == "025185000001"


@pytest.mark.parametrize("cccd", ["0251850000012", "2518500000", "02518500000A"])
def test_a_cccd_that_is_not_twelve_digits_is_a_row_error(cccd):
    [row] = rows(f"NS-1,{cccd},A,Sở X,CV,8500000,")
    assert row.status == "error" and row.reasons[0]["field"] == "cccd"


def test_amounts_may_carry_thousand_separators_but_not_a_sign_or_words():
    ok, negative, words = rows('NS-1,025185000001,A,Sở X,CV,"8.500.000",', "NS-2,025185000002,B,Sở X,CV,-1,",
                               "NS-3,025185000003,C,Sở X,CV,tám triệu,")
    assert ok.values["insured_salary_vnd"] == 8_500_000
    assert [r["field"] for r in negative.reasons] == ["insured_salary_vnd"]
    assert [r["field"] for r in words.reasons] == ["insured_salary_vnd"]


def test_a_row_with_neither_hr_id_nor_cccd_cannot_be_matched():
    [row] = rows(",,A,Sở X,CV,8500000,")
    assert row.status == "error" and row.reasons[0]["field"] == "hr_employee_id"


def test_a_missing_required_value_is_named_and_blank_lines_are_ignored():
    [row] = rows("NS-1,025185000001,A,,CV,8500000,", ",,,,,,")
    assert row.line == 2 and [r["field"] for r in row.reasons] == ["unit"]


def test_a_missing_required_column_refuses_the_file_naming_it():
    with pytest.raises(FileRefused) as refused:
        rows("NS-1,025185000001,A,Sở X,8500000,", header="Mã nhân sự,Số CCCD,Họ và tên,Đơn vị công tác,Lương đóng BHXH")
    assert "Chức vụ" in refused.value.vi and "Chức vụ" in refused.value.en


def test_an_optional_column_may_be_absent():
    [row] = rows("NS-1,025185000001,A,Sở X,CV,8500000", header=HEADER.rsplit(",", 1)[0])
    assert row.status == "pending" and row.values["pension_vnd"] is None


def test_a_mapping_file_renames_the_columns(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"columns": {"hr_employee_id": "EmpID", "cccd": "CitizenID", "unit": "Dept",
                                            "position": "Title", "insured_salary_vnd": "Salary"},
                                "required": ["hr_employee_id", "unit", "insured_salary_vnd"]}), encoding="utf-8")
    [row] = read_rows("x.csv", b"EmpID,CitizenID,Dept,Title,Salary\nE1,025185000001,Finance,,7000000\n",
                      load_mapping(path))
    assert row.status == "pending" and row.values["unit"] == "Finance"


def test_two_rows_with_one_cccd_are_both_errors():
    found = rows("NS-1,025185000001,A,Sở X,CV,8500000,", "NS-2,025185000001,B,Sở Y,CV,9000000,")
    mark_duplicates(found)
    assert [r.status for r in found] == ["error", "error"] and "2, 3" in found[0].reasons[0]["vi"]


def test_a_row_equal_to_the_data_held_is_unchanged_and_a_different_one_an_update():
    same, raised = rows("NS-1,025185000001,A,Sở X,CV,8500000,", "NS-1,025185000001,A,Sở X,CV,9000000,")
    held = {"hr_employee_id": "NS-1", "unit": "Sở X", "position": "CV", "insured_salary_vnd": 8_500_000,
            "pension_vnd": None}
    classify(same, "m1", held)
    classify(raised, "m1", held)
    assert same.status == "unchanged" and same.changes == {}
    assert raised.status == "update" and raised.changes == {"insured_salary_vnd": [8_500_000, 9_000_000]}


def test_a_person_who_is_not_a_member_is_skipped_with_the_reason_in_both_languages():
    [row] = rows("NS-9,025185000009,Z,Sở X,CV,8500000,")
    classify(row, None, None)
    assert row.status == "skipped" and row.reasons == [
        {"field": "cccd", "vi": "Không phải đảng viên — bỏ qua", "en": "Not a party member — skipped"}]


def test_a_mapping_naming_an_unknown_field_is_refused(tmp_path):
    path = tmp_path / "map.json"
    path.write_text(json.dumps({"columns": {"hr_employee_id": "ID", "salary": "Lương"}, "required": []}),
                    encoding="utf-8")
    with pytest.raises(ValueError, match="unknown fields"):
        load_mapping(path)
