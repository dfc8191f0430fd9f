"""Figures as titled tables: a designed table per figure group, unknown groups read defensively as they appear."""
import re
from datetime import date

from reports.figure_tables import DESIGNED
from reports.pdf import sections, vi_number
from reports.tables import Percent, build_tables

FIGURES = {"org_id": "o", "org_name": "Đảng bộ tỉnh Phú Thọ", "period": "2026", "meetings_held": 1185,
           "levels": {"tot": 945, "kha": 200, "trung_binh": 30, "kem": 10, "unrated": 0},
           "attendance": {"present": 945, "expected": 1185, "rate": 79.7}, "children": []}
GROUPS = {
    "range": {"from": date(2026, 1, 1), "to": date(2026, 12, 31)}, "tree": "as_was",
    "meetings": {"held": 4, "held_by_kind": {"regular": 3, "thematic": 1, "combined": 0, "extraordinary": 0,
                                             "model": 0},
                 "levels": {"tot": {"count": 1, "share": 25.0}, "kha": {"count": 3, "share": 75.0}},
                 "attendance": {"present": 9, "expected": 11, "rate": 81.8},
                 "speakers": {"count": 5, "present": 9, "share": 55.6},
                 "upper_level": {"count": 1, "held": 4, "share": 25.0},
                 "obligations": {"regular": {"required": 3, "held": 2, "missed": 1, "missed_share": 33.3},
                                 "thematic": {"required": 1, "held": 1, "missed": 0, "missed_share": 0.0},
                                 "committee": {"required": 0, "held": 0, "missed": 0, "missed_share": None}}},
    "members": {"on": date(2026, 12, 31), "total": 3, "status": {"official": 2, "probationary": 1},
                "sex": {"female": 1, "male": 2}, "age_band": {"to_30": 1, "unknown": 2}, "ethnicity": {"Kinh": 3},
                "religion": {}, "education_level": {}, "political_theory_level": {"so_cap": 1, "unknown": 2},
                "party_age_band": {"under_10": 3}, "sector": {"school": 3}},
    "changes": {"admitted": 412, "made_official": 421, "names_removed": 3},
    "fees": {"due_vnd": 185000, "collected_vnd": 145000, "collected_share": 78.4, "unpaid_members": 1},
    "grading": {"members": {"total": 3, "excellent": {"count": 1}, "good": {"count": 2}},
                "organizations": {"total": 0}},
    "alerts": {"removal_reviews": [{"member_id": "x", "member_name": "Lê Văn Tám", "org_id": "c",
                                    "org_name": "Chi bộ A", "reason": "unpaid_fees", "count": 4,
                                    "date": date(2026, 4, 15)}], "absence_limits": [], "overdue_probations": []}}
BANDS = {"age": {"to_30": "Đến 30 tuổi"}, "party_age": {"under_10": "Dưới 10 năm"}}


def test_the_share_of_meetings_rated_good_is_computed_from_the_counts_half_up_to_one_decimal():
    summary = {row[0]: row[1:] for row in build_tables(FIGURES)[0].rows}
    assert summary["Số buổi xếp loại Tốt"] == [945, Percent(0.797)]
    assert isinstance(summary["Số buổi xếp loại Tốt"][1], Percent)
    assert summary["Số buổi sinh hoạt đã tổ chức"][0] == 1185
    assert vi_number(Percent(0.797)) == "79,7%" and vi_number(1185) == "1.185"


def test_legacy_figures_give_the_summary_and_the_per_unit_tables_only_when_there_are_units():
    child = {**FIGURES, "org_name": "Chi bộ Văn phòng Sở"}
    assert [t.sheet for t in build_tables({**FIGURES, "children": [child]})] == [
        "Tổng hợp", "Xếp loại theo đơn vị", "Dự họp theo đơn vị"]
    assert [t.sheet for t in build_tables(FIGURES)] == ["Tổng hợp"]  # a cell: nothing under it


def test_every_figure_group_gets_its_designed_sheet_and_numbered_section():
    tables = build_tables({**FIGURES, **GROUPS}, bands=BANDS)
    assert list(dict.fromkeys(t.sheet for t in tables)) == [
        "Tổng hợp", "Sinh hoạt chi bộ", "Cơ cấu đảng viên", "Biến động đảng viên", "Đảng phí", "Đánh giá, xếp loại",
        "Xem xét xóa tên", "Vắng sinh hoạt", "Dự bị quá hạn"]
    assert [s for s, _ in sections(tables)] == [
        "Tổng hợp kết quả", "Sinh hoạt chi bộ", "Cơ cấu đảng viên (đến ngày 31/12/2026)", "Biến động đảng viên",
        "Thu, nộp đảng phí", "Đánh giá, xếp loại đảng viên và tổ chức đảng", "Cảnh báo"]
    assert set(FIGURES) | set(GROUPS) <= DESIGNED


def test_obligations_are_one_table_of_required_held_and_missed_with_a_total_row():
    duty = next(t for t in build_tables({**FIGURES, **GROUPS}) if t.title == "Tổ chức sinh hoạt theo quy định")
    assert duty.headers == ["Loại sinh hoạt", "Phải tổ chức", "Đã tổ chức", "Không tổ chức", "Tỷ lệ không tổ chức"]
    assert duty.rows == [["Sinh hoạt thường kỳ", 3, 2, 1, Percent(0.333)], ["Sinh hoạt chuyên đề", 1, 1, 0, 0.0],
                         ["Họp cấp ủy (chi ủy, đảng ủy)", 0, 0, 0, None], ["Cộng", 4, 3, 1, Percent(0.25)]]
    assert duty.bold_rows == {3}


def test_the_roll_is_one_table_grouped_by_dimension_with_band_labels_from_the_data():
    roll = next(t for t in build_tables({**FIGURES, **GROUPS}, bands=BANDS) if t.sheet == "Cơ cấu đảng viên")
    headings = [roll.rows[i][0] for i in sorted(roll.heading_rows)]
    assert headings == ["Trạng thái", "Giới tính", "Độ tuổi", "Dân tộc", "Tôn giáo", "Trình độ học vấn",
                        "Lý luận chính trị", "Tuổi đảng", "Loại hình tổ chức"]
    rows = {r[0]: r[1:] for r in roll.rows}
    assert rows["Tổng số đảng viên"] == [3, 1.0] and rows["Đảng viên chính thức"] == [2, Percent(0.667)]
    assert rows["Đến 30 tuổi"] == [1, Percent(0.333)] and rows["Chưa rõ"] == [2, Percent(0.667)]
    assert rows["Sơ cấp"][0] == 1 and rows["Dưới 10 năm"][0] == 3 and rows["Trường học"][0] == 3
    assert [r[0] for r in roll.rows[1:4]] == ["Trạng thái", "Đảng viên chính thức", "Đảng viên dự bị"]


def test_changes_fees_grading_and_alerts_read_in_vietnamese():
    tables = {t.sheet: t for t in build_tables({**FIGURES, **GROUPS})}
    assert tables["Biến động đảng viên"].rows == [["Kết nạp đảng viên", 412], ["Công nhận đảng viên chính thức", 421],
                                                  ["Xóa tên", 3]]
    assert tables["Đảng phí"].rows[2] == ["Tỷ lệ đã thu", Percent(0.784)]
    assert tables["Đánh giá, xếp loại"].rows[1] == ["Hoàn thành tốt nhiệm vụ", 2, Percent(0.667), 0, None]
    assert tables["Xem xét xóa tên"].rows == [["Lê Văn Tám", "Chi bộ A", "Không đóng đảng phí (số tháng trong năm)",
                                               4, "15/04/2026"]]
    texts = [str(c) for t in tables.values() for c in [t.title, t.sheet, *t.headers, *(x for r in t.rows for x in r)]]
    assert not [t for t in texts if re.fullmatch(r"[a-z_]+", t)]  # no English key shown


def test_an_unknown_future_group_falls_back_to_a_generic_table_with_a_word_boundary_sheet_name():
    tables = {t.title: t for t in build_tables({**FIGURES, "congresses": {"speaker_rate": 41.5, "new_thing": 3}})}
    assert tables["congresses"].rows == [["speaker rate", Percent(0.415)], ["new thing", 3]]
    long = {"Đại hội chi bộ nhiệm kỳ 2025 2030 và đại biểu": {"a": 1},
            "Đại hội chi bộ nhiệm kỳ 2025 2030 và khác": {"b": 2}}
    sheets = [t.sheet for t in build_tables({**FIGURES, **long})][1:]
    assert sheets == ["Đại hội chi bộ nhiệm kỳ 2025", "Đại hội chi bộ nhiệm kỳ (2)"]
