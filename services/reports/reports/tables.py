"""A figures result (``queries.figures``) as titled tables with Vietnamese headers, for XLSX and PDF exports.

Only numbers found in the figures are shown; shares are computed here from the counts with the rule of
``queries.attendance_rate`` (half up to one decimal of a percent) and kept as fractions (``Percent``), so a
spreadsheet formats them ``0.0%``. Figure groups this module has no layout for (members, changes, fees,
grading …, added to the figures as they come) are read defensively: a dict of numbers becomes a two-column
table, a dict of such dicts one table per entry, a list of records a table with one column per key. Keys are
translated through ``LABELS_VI``; an unknown key is shown as written, never dropped.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from numbers import Number

from reports.queries import attendance_rate

LEVEL_LABELS = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém", "unrated": "Chưa xếp loại"}
# The keys the core layout below already shows: not repeated as generic tables.
CORE_KEYS = {"org_id", "org_name", "period", "meetings_held", "levels", "attendance", "children"}

LABELS_VI = {
    # groups
    "meetings": "Sinh hoạt chi bộ", "members": "Đảng viên", "changes": "Biến động đảng viên",
    "lifecycle": "Biến động đảng viên", "fees": "Đảng phí", "grading": "Đánh giá, xếp loại",
    "alerts": "Cảnh báo", "removal_reviews": "Đảng viên cần xem xét xóa tên",
    "overdue_probations": "Đảng viên dự bị quá hạn chuyển chính thức", "by_kind": "Theo loại buổi sinh hoạt",
    "by_status": "Theo tình trạng", "by_sector": "Theo lĩnh vực", "by_sex": "Theo giới tính",
    "by_age_band": "Theo độ tuổi", "by_ethnicity": "Theo dân tộc", "by_religion": "Theo tôn giáo",
    "by_education": "Theo trình độ học vấn", "by_theory": "Theo trình độ lý luận chính trị",
    "by_political_theory": "Theo trình độ lý luận chính trị", "by_party_age_band": "Theo tuổi đảng",
    "by_party_age": "Theo tuổi đảng", "members_grading": "Xếp loại đảng viên",
    "organizations_grading": "Xếp loại tổ chức đảng", "organizations": "Tổ chức đảng",
    # meetings
    "required": "Phải tổ chức", "held": "Đã tổ chức", "missed": "Không tổ chức", "regular": "Thường kỳ",
    "thematic": "Chuyên đề", "committee": "Chi ủy, đảng ủy", "speakers": "Đảng viên phát biểu",
    "speaker_rate": "Tỷ lệ đảng viên phát biểu", "upper_level_attended": "Có cấp ủy cấp trên dự",
    "upper_level": "Có cấp ủy cấp trên dự", "present": "Có mặt", "expected": "Phải dự", "rate": "Tỷ lệ",
    # members
    "total": "Tổng số", "probationary": "Dự bị", "official": "Chính thức", "male": "Nam", "female": "Nữ",
    "administrative": "Hành chính", "public_service": "Sự nghiệp", "enterprise": "Doanh nghiệp",
    "commune": "Xã, phường", "armed_forces": "Lực lượng vũ trang", "other": "Khác", "unknown": "Chưa rõ",
    "admitted": "Kết nạp", "made_official": "Công nhận chính thức", "transferred_in": "Chuyển đến",
    "transferred_out": "Chuyển đi", "transferred_temporarily": "Chuyển sinh hoạt tạm thời",
    "temporarily_transferred": "Chuyển sinh hoạt tạm thời", "cards_issued": "Cấp thẻ đảng",
    "cards_replaced": "Cấp lại thẻ đảng", "badges_awarded": "Trao Huy hiệu Đảng", "exempted": "Miễn sinh hoạt",
    "names_removed": "Xóa tên", "removed": "Xóa tên", "expelled": "Khai trừ", "exited": "Ra khỏi Đảng",
    "deceased": "Từ trần",
    # fees and grading
    "due": "Phải thu (đồng)", "collected": "Đã thu (đồng)", "unpaid_members": "Đảng viên chưa nộp",
    "excellent": "Hoàn thành xuất sắc nhiệm vụ", "good": "Hoàn thành tốt nhiệm vụ", "completed": "Hoàn thành nhiệm vụ",
    "not_completed": "Không hoàn thành nhiệm vụ", "ungraded": "Chưa xếp loại",
    # record columns
    "member_name": "Họ và tên", "full_name": "Họ và tên", "name": "Tên", "org_name": "Tổ chức",
    "organization_name": "Tổ chức", "reason": "Lý do", "kind": "Loại", "raised_on": "Ngày phát sinh",
    "due_on": "Hạn", "since": "Từ ngày", "count": "Số lượng",
    # alerts (alerts.py): lists, their reasons and columns
    "absence_limits": "Đảng viên vắng sinh hoạt đến mức phải xem xét", "date": "Ngày",
    "probation_from": "Ngày kết nạp", "unpaid_fees": "Không đóng đảng phí (số tháng trong năm)",
    "unexcused": "Vắng sinh hoạt không lý do (số lần trong năm)",
    "excused_consecutive": "Vắng sinh hoạt có lý do (số lần liên tiếp)",
    "overdue_probation": "Quá hạn xét chuyển chính thức (số ngày làm việc sau 12 tháng dự bị)",
}


class Percent(float):
    """A share as a fraction (0.797 for 79.7 %), formatted ``0.0%`` in spreadsheets."""


@dataclass
class Table:
    title: str
    sheet: str  # spreadsheet tab (at most 31 characters, unique in a workbook)
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)  # indexes of total rows


def label(key: object) -> str:
    text = str(key)
    return LABELS_VI.get(text, LEVEL_LABELS.get(text, text.replace("_", " ")))


def share(part: int, whole: int) -> Percent | None:
    rate = attendance_rate(part, whole)
    return None if rate is None else Percent(rate / 100)


def percent_value(key: str, value: Number) -> object:
    """A figure as the tables show it: ``rate``/``share`` keys are percents in the API (79.7), fractions here."""
    if isinstance(value, float) and ("rate" in key or "share" in key or "percent" in key):
        return Percent(value / 100)
    return value


def summary(figures: Mapping) -> Table:
    held, levels, att = figures.get("meetings_held", 0), figures.get("levels", {}), figures.get("attendance", {})
    rows: list[list] = [["Số buổi sinh hoạt đã tổ chức", held]]
    for key, text in LEVEL_LABELS.items():
        if key in levels:
            rows.append([f"Xếp loại {text}" if key != "unrated" else text, levels[key]])
    if "tot" in levels:
        rows.append(["Tỷ lệ buổi xếp loại Tốt", share(levels["tot"], held)])
    if att:
        rate = att.get("rate")
        rows += [["Lượt đảng viên có mặt", att.get("present", 0)],
                 ["Lượt đảng viên phải dự (trừ miễn sinh hoạt)", att.get("expected", 0)],
                 ["Tỷ lệ đảng viên dự họp", None if rate is None else Percent(rate / 100)]]
    return Table("Tổng hợp kết quả sinh hoạt chi bộ", "Tổng hợp", ["Chỉ tiêu", "Số liệu"], rows)


def by_unit(figures: Mapping, units: Iterable[Mapping] | None = None) -> list[Table]:
    """Ratings and attendance per unit: the org's direct children (or ``units``), then the org's total."""
    units = list(figures.get("children", []) if units is None else units)
    ratings = Table("Xếp loại chất lượng sinh hoạt theo đơn vị", "Xếp loại theo đơn vị",
                    ["Tổ chức đảng", "Số buổi", *LEVEL_LABELS.values(), "Tỷ lệ Tốt"])
    attendance = Table("Đảng viên dự sinh hoạt theo đơn vị", "Dự họp theo đơn vị",
                       ["Tổ chức đảng", "Có mặt", "Phải dự", "Tỷ lệ dự họp"])
    for unit in [*units, {**figures, "org_name": f"Tổng cộng: {figures.get('org_name', '')}"}]:
        name = ("    " * unit.get("depth", 0)) + str(unit.get("org_name", ""))
        held, levels, att = unit.get("meetings_held", 0), unit.get("levels", {}), unit.get("attendance", {})
        ratings.rows.append([name, held, *[levels.get(k, 0) for k in LEVEL_LABELS], share(levels.get("tot", 0), held)])
        rate = att.get("rate")
        attendance.rows.append([name, att.get("present", 0), att.get("expected", 0),
                                None if rate is None else Percent(rate / 100)])
    ratings.bold_rows = attendance.bold_rows = {len(units)}
    return [ratings, attendance]


def extra_groups(figures: Mapping) -> list[Table]:
    """Tables for every figure group beyond the core layout, as far as their shape can be read."""
    tables: list[Table] = []
    for key, value in figures.items():
        if key in CORE_KEYS:
            continue
        tables += _group(key, value, label(key))
    return tables


def _numbers(value: object) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(
        isinstance(v, Number) and not isinstance(v, bool) or v is None for v in value.values())


def _group(key: str, value: object, title: str) -> list[Table]:
    if _numbers(value):
        rows = [[label(k), percent_value(str(k), v)] for k, v in value.items()]
        return [Table(title, title, ["Chỉ tiêu", "Số liệu"], rows)]
    if isinstance(value, Mapping):
        tables = []
        flat = {k: v for k, v in value.items() if isinstance(v, Number) and not isinstance(v, bool)}
        if flat:
            tables += _group(key, flat, title)
        for sub, inner in value.items():
            if sub not in flat:
                tables += _group(str(sub), inner, f"{title} — {label(sub)}")
        return tables
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        columns = [c for c in dict.fromkeys(k for item in value for k in item) if not str(c).endswith("_id")]
        rows = [[_cell(c, item.get(c)) for c in columns] for item in value]
        return [Table(title, title, [label(c) for c in columns], rows)]
    return []


def _cell(key: str, value: object) -> object:
    if isinstance(value, Number) and not isinstance(value, bool):
        return percent_value(str(key), value)
    if isinstance(value, Mapping | list):
        return ", ".join(f"{label(k)}: {v}" for k, v in value.items()) if isinstance(value, Mapping) else ", ".join(
            map(str, value))
    if value is None:
        return None
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    return label(value) if str(value) in LABELS_VI or str(value) in LEVEL_LABELS else str(value)


def build_tables(figures: Mapping, units: Iterable[Mapping] | None = None) -> list[Table]:
    """Every table of one org's report (the per-unit tables only when there are units: not for a cell), sheet
    names made unique and short enough for a spreadsheet."""
    units = None if units is None else list(units)
    has_units = bool(figures.get("children")) if units is None else bool(units)
    tables = [summary(figures), *(by_unit(figures, units) if has_units else []), *extra_groups(figures)]
    seen: set[str] = set()
    for table in tables:
        table.sheet = _sheet_name(table.sheet, seen)
    return tables


def _sheet_name(text: str, seen: set[str]) -> str:
    clean = "".join(" " if c in "[]:*?/\\" else c for c in text).strip()[:31] or "Bảng"
    name, n = clean, 2
    while name.lower() in seen:
        suffix = f" ({n})"
        name, n = clean[:31 - len(suffix)] + suffix, n + 1
    seen.add(name.lower())
    return name
