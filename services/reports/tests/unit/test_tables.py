"""Figures as titled tables: the core layout, and figure groups read defensively as they appear."""
from reports.pdf import vi_number
from reports.tables import Percent, build_tables

FIGURES = {"org_id": "o", "org_name": "Đảng bộ tỉnh Phú Thọ", "period": "2026", "meetings_held": 1185,
           "levels": {"tot": 945, "kha": 200, "trung_binh": 30, "kem": 10, "unrated": 0},
           "attendance": {"present": 945, "expected": 1185, "rate": 79.7}, "children": []}


def test_the_share_of_meetings_rated_good_is_computed_from_the_counts_half_up_to_one_decimal():
    summary = dict(build_tables(FIGURES)[0].rows)
    assert summary["Tỷ lệ buổi xếp loại Tốt"] == Percent(0.797) and isinstance(summary["Tỷ lệ buổi xếp loại Tốt"], Percent)
    assert summary["Số buổi sinh hoạt đã tổ chức"] == 1185
    assert vi_number(summary["Tỷ lệ buổi xếp loại Tốt"]) == "79,7%" and vi_number(1185) == "1.185"


def test_figures_with_only_the_core_fields_give_three_tables_or_only_the_summary_without_units():
    child = {**FIGURES, "org_name": "Chi bộ Văn phòng Sở"}
    assert [t.sheet for t in build_tables({**FIGURES, "children": [child]})] == [
        "Tổng hợp", "Xếp loại theo đơn vị", "Dự họp theo đơn vị"]
    assert [t.sheet for t in build_tables(FIGURES)] == ["Tổng hợp"]  # a cell: nothing under it


def test_new_figure_groups_become_tables_with_vietnamese_titles_and_headers():
    figures = {**FIGURES,
               "members": {"total": 12, "by_status": {"probationary": 2, "official": 10},
                           "by_sex": {"male": 7, "female": 5}},
               "changes": {"admitted": 412, "made_official": 421, "names_removed": 3},
               "fees": {"due": 1_250_000, "collected": 1_000_000, "unpaid_members": 2},
               "removal_reviews": [{"member_id": "x", "member_name": "Lê Văn Tám", "reason": "Bỏ sinh hoạt 3 tháng"}]}
    tables = {t.title: t for t in build_tables(figures)}
    assert tables["Đảng viên"].rows == [["Tổng số", 12]]
    assert tables["Đảng viên — Theo tình trạng"].rows == [["Dự bị", 2], ["Chính thức", 10]]
    assert tables["Đảng viên — Theo giới tính"].rows == [["Nam", 7], ["Nữ", 5]]
    assert tables["Biến động đảng viên"].rows == [["Kết nạp", 412], ["Công nhận chính thức", 421], ["Xóa tên", 3]]
    assert tables["Đảng phí"].rows[0] == ["Phải thu (đồng)", 1_250_000]
    reviews = tables["Đảng viên cần xem xét xóa tên"]
    assert reviews.headers == ["Họ và tên", "Lý do"] and reviews.rows == [["Lê Văn Tám", "Bỏ sinh hoạt 3 tháng"]]


def test_a_rate_given_in_percent_by_the_figures_is_kept_as_a_fraction_and_unknown_keys_are_shown_as_written():
    tables = {t.title: t for t in build_tables({**FIGURES, "meetings": {"speaker_rate": 41.5, "new_thing": 3}})}
    assert tables["Sinh hoạt chi bộ"].rows == [["Tỷ lệ đảng viên phát biểu", Percent(0.415)], ["new thing", 3]]


def test_sheet_names_stay_unique_and_within_the_spreadsheet_limit():
    long = {"x" * 40: {"a": 1}, "X" * 40: {"b": 2}}
    sheets = [t.sheet for t in build_tables({**FIGURES, **long})]
    assert len(sheets) == len({s.lower() for s in sheets}) and max(map(len, sheets)) <= 31
