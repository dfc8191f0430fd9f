"""A figure group no designed table knows yet (one added to the figures later), read defensively as it appears:
a dict of numbers becomes a two-column table, a dict of such dicts one table per entry, a list of records a table
with one column per key (ids left out). Keys are shown through the known Vietnamese labels, else as written."""
from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from numbers import Number

from reports import figure_labels as vi
from reports.tables import LEVEL_LABELS, Percent, Table

LABELS_VI = {**LEVEL_LABELS, **vi.MEETING_KINDS, **vi.STATUS, **vi.SEX, **vi.SECTORS, **vi.CHANGES, **vi.GRADES,
             **vi.REASONS, "total": "Tổng số", "count": "Số lượng", "share": "Tỷ lệ", "rate": "Tỷ lệ",
             "member_name": "Họ và tên", "org_name": "Tổ chức", "reason": "Lý do", "date": "Ngày",
             "unknown": vi.UNKNOWN}


def label(key: object) -> str:
    return LABELS_VI.get(str(key), str(key).replace("_", " "))


def undesigned(figures: Mapping, designed: set[str]) -> list[Table]:
    return [t for key, value in figures.items() if key not in designed for t in _group(value, label(key))]


def _percent(key: str, value: Number) -> object:
    """``rate``/``share`` keys are percents in the API (79.7), fractions here."""
    if isinstance(value, float) and ("rate" in key or "share" in key or "percent" in key):
        return Percent(value / 100)
    return value


def _numbers(value: object) -> bool:
    return isinstance(value, Mapping) and bool(value) and all(
        isinstance(v, Number) and not isinstance(v, bool) or v is None for v in value.values())


def _group(value: object, title: str) -> list[Table]:
    if _numbers(value):
        rows = [[label(k), _percent(str(k), v)] for k, v in value.items()]
        return [Table(title, title, ["Chỉ tiêu", "Số liệu"], rows)]
    if isinstance(value, Mapping):
        flat = {k: v for k, v in value.items() if isinstance(v, Number) and not isinstance(v, bool)}
        tables = _group(flat, title) if flat else []
        for sub, inner in value.items():
            if sub not in flat:
                tables += _group(inner, f"{title} — {label(sub)}")
        return [_sectioned(t, title) for t in tables]
    if isinstance(value, list) and value and all(isinstance(item, Mapping) for item in value):
        columns = [c for c in dict.fromkeys(k for item in value for k in item) if not str(c).endswith("_id")]
        rows = [[_cell(c, i.get(c)) for c in columns] for i in value]
        return [Table(title, title, [label(c) for c in columns], rows)]
    return []


def _sectioned(table: Table, section: str) -> Table:
    table.section, table.sheet = table.section or section, section
    return table


def _cell(key: str, value: object) -> object:
    if isinstance(value, Number) and not isinstance(value, bool):
        return _percent(str(key), value)
    if isinstance(value, date):
        return value.strftime("%d/%m/%Y")
    if isinstance(value, Mapping):
        return ", ".join(f"{label(k)}: {v}" for k, v in value.items())
    if isinstance(value, list):
        return ", ".join(map(str, value))
    return None if value is None else label(value) if str(value) in LABELS_VI else str(value)
