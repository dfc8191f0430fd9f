"""Tables as an XLSX workbook: one formatted sheet per table, numbers written as numbers."""
from __future__ import annotations

import io
from collections.abc import Sequence
from numbers import Number

from openpyxl import Workbook
from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
from openpyxl.utils import get_column_letter

from reports.tables import Percent, Table

INTEGER, FRACTION, PERCENT = "#,##0", "#,##0.0", "0.0%"
_HEADER_FILL = PatternFill("solid", fgColor="B71C1C")
_THIN = Side(style="thin", color="BBBBBB")


def number_format(value: object) -> str | None:
    if isinstance(value, Percent):
        return PERCENT
    if isinstance(value, bool) or not isinstance(value, Number):
        return None
    return INTEGER if isinstance(value, int) else FRACTION


def workbook_bytes(tables: Sequence[Table], title: str) -> bytes:
    book = Workbook()
    book.remove(book.active)
    book.properties.title, book.properties.creator = title, "Chibo"
    for table in tables:
        _sheet(book, table)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _sheet(book: Workbook, table: Table) -> None:
    sheet = book.create_sheet(table.sheet)
    sheet.append(table.headers)
    for cell in sheet[1]:
        cell.font = Font(bold=True, color="FFFFFF")
        cell.fill = _HEADER_FILL
        cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
    for index, row in enumerate(table.rows):
        sheet.append([float(v) if isinstance(v, Percent) else v for v in row])
        for value, cell in zip(row, sheet[sheet.max_row]):
            cell.border = Border(bottom=_THIN)
            fmt = number_format(value)
            if fmt:
                cell.number_format = fmt
            if index in table.bold_rows:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column, header in enumerate(table.headers, 1):
        values = [header, *(_shown(row[column - 1]) for row in table.rows if column - 1 < len(row))]
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, *(len(v) + 2 for v in values)))
    sheet.row_dimensions[1].height = 30


def _shown(value: object) -> str:
    if isinstance(value, Percent):
        return f"{value:.1%}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)
