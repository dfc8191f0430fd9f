"""A figures answer (``report.full_figures``: the figures API's) as the tables of a statistical report, with
Vietnamese titles and headers, for the XLSX and PDF exports.

Every figure group of today's answer has a designed table (``figure_tables.py``); a group added later and not
designed yet falls back to ``generic_tables.py``. Shares are computed here from the counts with the one rounding
rule (``queries.percent``: half up to 0.1 %) and kept as fractions (``Percent``) so a spreadsheet formats them
``0.0%``.
"""
from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from reports.queries import percent

LEVEL_LABELS = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém", "unrated": "Chưa xếp loại"}


class Percent(float):
    """A share as a fraction (0.797 for 79.7 %), formatted ``0.0%`` in spreadsheets."""


@dataclass
class Table:
    title: str
    sheet: str  # spreadsheet tab (at most 31 characters); tables with the same sheet share it, one under another
    headers: list[str]
    rows: list[list] = field(default_factory=list)
    bold_rows: set[int] = field(default_factory=set)  # indexes of total rows
    heading_rows: set[int] = field(default_factory=set)  # indexes of group headings (one label across the row)
    section: str = ""  # the numbered section of the PDF it belongs to ("" = its own title)


def share(part: int | None, whole: int | None) -> Percent | None:
    rate = percent(part or 0, whole or 0)  # 33.3 → 0.333 exactly as written, not 0.33299999999999996
    return None if rate is None else Percent(float(Decimal(str(rate)) / 100))


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
        attendance.rows.append([name, att.get("present", 0), att.get("expected", 0),
                                share(att.get("present", 0), att.get("expected", 0))])
    ratings.bold_rows = attendance.bold_rows = {len(units)}
    return [ratings, attendance]


def build_tables(figures: Mapping, units: Iterable[Mapping] | None = None,
                 bands: Mapping[str, Mapping[str, str]] | None = None) -> list[Table]:
    """Every table of one org's report in report order (the per-unit tables only when there are units: not for
    a cell); ``bands``: the labels of the age and party-age bands ({"age": {code: label}, "party_age": …})."""
    from reports import figure_tables, generic_tables
    units = None if units is None else list(units)
    has_units = bool(figures.get("children")) if units is None else bool(units)
    tables = [figure_tables.summary(figures), *figure_tables.meetings(figures),
              *(by_unit(figures, units) if has_units else []), *figure_tables.members(figures, bands or {}),
              *figure_tables.changes(figures), *figure_tables.fees(figures), *figure_tables.grading(figures),
              *figure_tables.alerts(figures), *generic_tables.undesigned(figures, figure_tables.DESIGNED)]
    seen: dict[str, str] = {}
    for table in tables:
        table.sheet = sheet_name(table.sheet, seen, table.section or id(table))
    return tables


def sheet_name(text: str, seen: dict[str, object], owner: object) -> str:
    """At most 31 characters cut at a word, none of []:*?/\\; made unique unless the same owner (section)
    asks again."""
    clean = " ".join("".join(" " if c in "[]:*?/\\" else c for c in text).split()) or "Bảng"
    clean = _cut(clean, 31)
    name, n = clean, 2
    while seen.get(name.lower(), owner) != owner:
        suffix = f" ({n})"
        name, n = _cut(clean, 31 - len(suffix)) + suffix, n + 1
    seen[name.lower()] = owner
    return name


def _cut(text: str, size: int) -> str:
    """``text`` cut to ``size`` characters at the last whole word (mid-word only for a single long word)."""
    if len(text) <= size:
        return text
    return text[:size + 1].rsplit(" ", 1)[0].rstrip(" ,;—-") or text[:size]
