"""Tables as an XLSX workbook: a formatted sheet per sheet name (tables sharing one are written one under
another, each after a blank row and its title), numbers written as numbers."""
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
_GROUP_FILL = PatternFill("solid", fgColor="F3E5E5")
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
        _write(book[table.sheet] if table.sheet in book.sheetnames else _new_sheet(book, table.sheet), table)
    for sheet in book.worksheets:
        _widths(sheet, [t for t in tables if t.sheet == sheet.title])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _new_sheet(book: Workbook, name: str):
    sheet = book.create_sheet(name)
    sheet.freeze_panes = "A2"
    sheet.row_dimensions[1].height = 30
    return sheet


def _write(sheet, table: Table) -> None:
    if sheet.max_row > 1:  # a further table on the sheet: a blank row, then its title
        sheet.append([])
        sheet.append([table.title])
        sheet.cell(sheet.max_row, 1).font = Font(bold=True, size=12)
    sheet.append(table.headers)
    for cell in sheet[sheet.max_row]:
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
            if index in table.bold_rows or index in table.heading_rows:
                cell.font = Font(bold=True)
            if index in table.heading_rows:
                cell.fill = _GROUP_FILL


def _widths(sheet, tables: list[Table]) -> None:
    for column in range(1, max(len(t.headers) for t in tables) + 1):
        values = [_shown(v) for t in tables for v in (
            [t.headers[column - 1]] if column <= len(t.headers) else []) + [r[column - 1] for r in t.rows
                                                                           if column - 1 < len(r)]]
        sheet.column_dimensions[get_column_letter(column)].width = min(60, max(10, *(len(v) + 2 for v in values)))


def _shown(value: object) -> str:
    if isinstance(value, Percent):
        return f"{value:.1%}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return "" if value is None else str(value)
