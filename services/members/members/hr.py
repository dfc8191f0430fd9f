"""Pure rules of the HR-system integration: the column mapping, reading an export
(CSV or XLSX), checking each row, and comparing it with the employment data we hold.
No database here; the use cases in hr_usecases.py do the I/O."""
from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from members import xlsx_stream

DEFAULT_MAPPING_PATH = Path(__file__).with_name("hr_mapping.json")
FIELDS = ("hr_employee_id", "cccd", "full_name", "unit", "position", "insured_salary_vnd", "pension_vnd")
COMPARED = ("hr_employee_id", "unit", "position", "insured_salary_vnd", "pension_vnd")
CCCD = re.compile(r"[0-9]{12}")
STATUSES = ("new", "update", "unchanged", "skipped", "error")


@dataclass(frozen=True)
class Mapping:
    columns: dict[str, str]  # field -> header in the export
    required: tuple[str, ...]


class FileRefused(Exception):
    """The whole file is refused (e.g. a required column is missing): nothing is previewed."""

    def __init__(self, vi: str, en: str) -> None:
        super().__init__(en)
        self.vi, self.en = vi, en


@dataclass
class Row:
    """One data row of the export, checked and classified."""

    line: int
    values: dict  # field -> parsed value
    status: str = "error"
    reasons: list[dict] = field(default_factory=list)  # [{field, vi, en}]
    member_id: str | None = None
    changes: dict = field(default_factory=dict)  # field -> [before, after]
    checked: list[dict] = field(default_factory=list)  # the reasons found reading the file (kept for the commit)

    def refuse(self, field_name: str, vi: str, en: str) -> None:
        self.status = "error"
        self.reasons.append({"field": field_name, "vi": vi, "en": en})

    def as_json(self) -> dict:
        return {"line": self.line, "values": self.values, "status": self.status, "reasons": self.reasons,
                "member_id": self.member_id, "changes": self.changes, "checked": self.checked}

    @classmethod
    def from_json(cls, data: dict) -> "Row":
        """A stored preview row, ready to be matched again (only the file's own findings are kept)."""
        checked = list(data.get("checked") or [])
        return cls(data["line"], data["values"], "error" if checked else "pending", list(checked), checked=checked)

    def seal(self) -> None:
        """Keep what reading the file found, before matching adds its own reasons."""
        self.checked = list(self.reasons)


def load_mapping(path: str | Path | None = None) -> Mapping:
    """The column mapping file: ``{"columns": {field: header}, "required": [field, ...]}``."""
    path = Path(path or DEFAULT_MAPPING_PATH)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
        columns = {k: str(v) for k, v in data["columns"].items() if k in FIELDS}
        required = tuple(data.get("required", ()))
    except (OSError, ValueError, KeyError, TypeError, AttributeError) as exc:
        raise ValueError(f"unreadable HR column mapping {path}: {exc!r}") from None
    unknown = [f for f in (*required, *data["columns"]) if f not in FIELDS and not f.startswith("_")]
    if unknown or not set(required) <= set(columns):
        raise ValueError(f"HR column mapping {path}: unknown fields {unknown} or required fields without a column")
    return Mapping(columns, required)


def _norm(header: object) -> str:
    return " ".join(str(header or "").split()).casefold()


def _table(name: str, content: bytes) -> Iterator[list]:
    if name.lower().endswith(".xlsx"):
        try:
            table = xlsx_stream.rows(content)
            first = next(table, None)
        except (xlsx_stream.Unsupported, SyntaxError, ValueError, IndexError, KeyError):
            table = first = None
        if table is not None:  # the fast reader read its first row: it reads the rest
            if first is not None:
                yield first
                try:
                    yield from table
                except (xlsx_stream.Unsupported, SyntaxError, ValueError, IndexError) as exc:
                    raise FileRefused("Không đọc được tệp XLSX", f"Cannot read the XLSX file ({exc.__class__.__name__})")
            return
        from openpyxl import load_workbook

        try:
            book = load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except Exception as exc:
            raise FileRefused("Không đọc được tệp XLSX", f"Cannot read the XLSX file ({exc.__class__.__name__})")
        try:
            yield from (list(r) for r in book.worksheets[0].iter_rows(values_only=True))
        finally:
            book.close()
        return
    if not name.lower().endswith(".csv"):
        raise FileRefused("Chỉ nhận tệp .xlsx hoặc .csv", "Only .xlsx or .csv files are accepted")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FileRefused("Tệp CSV phải mã hóa UTF-8", "The CSV file must be UTF-8 encoded") from None
    yield from csv.reader(io.StringIO(text))


def read_rows(name: str, content: bytes, mapping: Mapping) -> Iterator[Row]:
    """The export's data rows, each parsed and checked on its own (no matching yet).
    Raises ``FileRefused`` when the header lacks a required column."""
    table = _table(name, content)
    header = next(table, None)
    if header is None:
        raise FileRefused("Tệp trống", "The file is empty")
    positions = {_norm(h): i for i, h in enumerate(header)}
    index: dict[str, int] = {}
    missing = []
    for name_, column in mapping.columns.items():
        if _norm(column) in positions:
            index[name_] = positions[_norm(column)]
        elif name_ in mapping.required:
            missing.append(column)
    if missing:
        cols = ", ".join(missing)
        raise FileRefused(f"Thiếu cột bắt buộc: {cols}", f"Missing required column(s): {cols}")
    for line, cells in enumerate(table, start=2):
        if all(c is None or str(c).strip() == "" for c in cells):
            continue
        raw = {f: (cells[i] if i < len(cells) else None) for f, i in index.items()}
        yield parse_row(line, raw, mapping)


def _text(value: object) -> str | None:
    if value is None:
        return None
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = " ".join(str(value).split())
    return text or None


def _money(row: Row, name: str, value: object) -> int | None:
    text = _text(value)
    if text is None:
        return None
    digits = text.replace(".", "").replace(",", "").replace(" ", "")
    if not digits.isascii() or not digits.isdigit():
        row.refuse(name, "Phải là số tiền (đồng), không âm", "Must be an amount in VND, not negative")
        return None
    return int(digits)


def parse_row(line: int, raw: dict, mapping: Mapping) -> Row:
    row = Row(line, {})
    v = row.values
    v["hr_employee_id"] = _text(raw.get("hr_employee_id"))
    cccd = _text(raw.get("cccd"))
    if cccd is not None and cccd.isdigit() and len(cccd) == 11:  # a spreadsheet dropped the leading zero
        cccd = cccd.zfill(12)
    if cccd is not None and not CCCD.fullmatch(cccd):
        row.refuse("cccd", "Số CCCD phải gồm đúng 12 chữ số", "A citizen ID (CCCD) has exactly 12 digits")
        cccd = None
    v["cccd"] = cccd
    for name in ("full_name", "unit", "position"):
        v[name] = _text(raw.get(name))
    v["insured_salary_vnd"] = _money(row, "insured_salary_vnd", raw.get("insured_salary_vnd"))
    v["pension_vnd"] = _money(row, "pension_vnd", raw.get("pension_vnd"))
    if not v["hr_employee_id"] and not v["cccd"] and not row.reasons:
        row.refuse("hr_employee_id", "Cần mã nhân sự hoặc số CCCD để đối chiếu",
                   "An HR employee id or a CCCD is needed to match the row")
    for name in mapping.required:
        if name in ("hr_employee_id", "cccd"):
            continue
        if v.get(name) is None and not any(r["field"] == name for r in row.reasons):
            row.refuse(name, "Thiếu giá trị bắt buộc", "A required value is missing")
    if not row.reasons:
        row.status = "pending"
    return row


def mark_duplicates(rows: list[Row]) -> None:
    """Two rows of one file for the same employee or CCCD: both are errors (which one is right is unknowable)."""
    seen: dict[tuple[str, str], list[Row]] = {}
    for row in rows:
        for key in ("hr_employee_id", "cccd"):
            if row.values.get(key):
                seen.setdefault((key, row.values[key]), []).append(row)
    for (key, value), group in seen.items():
        if len(group) > 1:
            lines = ", ".join(str(r.line) for r in group)
            for row in group:
                row.refuse(key, f"Trùng với dòng {lines} trong cùng tệp", f"Duplicated on lines {lines} of the file")


def classify(row: Row, member_id: str | None, current: dict | None) -> None:
    """Compare a checked row with the member it matched and the employment data held for them."""
    if row.status == "error":
        return
    if member_id is None:
        row.status = "skipped"
        row.reasons.append({"field": "cccd", "vi": "Không phải đảng viên — bỏ qua",
                            "en": "Not a party member — skipped"})
        return
    row.member_id = member_id
    if current is None:
        row.status = "new"
        row.changes = {k: [None, row.values.get(k)] for k in COMPARED if row.values.get(k) is not None}
        return
    changes = {k: [current.get(k), row.values.get(k)] for k in COMPARED
               if row.values.get(k) is not None and row.values.get(k) != current.get(k)}
    row.changes = changes
    row.status = "update" if changes else "unchanged"
