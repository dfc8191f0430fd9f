"""Plain cell values of an XLSX's first sheet, streamed from the sheet XML (no I/O beyond the bytes given).

openpyxl's reader builds a cell object per value and costs most of a 100,000-row HR import; the HR export
holds plain values only (text, numbers), so this reads the shared strings and the sheet XML with a streaming
parser. Anything unusual (no first sheet, an unknown cell type, a broken part) raises ``Unsupported`` before
the first row, and the caller falls back to openpyxl."""
from __future__ import annotations

import re
import zipfile
from collections.abc import Iterator
from io import BytesIO
from posixpath import join, normpath
from xml.etree.ElementTree import iterparse

NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
PKG_REL = "{http://schemas.openxmlformats.org/package/2006/relationships}"
DIMENSION = re.compile(rb'<(?:\w+:)?dimension\s+ref="[A-Z]+\d+:[A-Z]+(\d+)"')
NUMBER_TYPES = (None, "n")


class Unsupported(Exception):
    """Not a workbook this reader handles: use openpyxl."""


def _first_sheet(book: zipfile.ZipFile) -> str:
    try:
        with book.open("xl/workbook.xml") as f:
            sheet = next(el for _, el in iterparse(f) if el.tag == f"{NS}sheet")
        rid = sheet.get(f"{REL_NS}id")
        with book.open("xl/_rels/workbook.xml.rels") as f:
            target = next(el.get("Target") for _, el in iterparse(f)
                          if el.tag == f"{PKG_REL}Relationship" and el.get("Id") == rid)
    except (KeyError, StopIteration) as exc:
        raise Unsupported("no first sheet") from exc
    return target.lstrip("/") if target.startswith("/") else normpath(join("xl", target))


def _shared_strings(book: zipfile.ZipFile) -> list[str]:
    try:
        f = book.open("xl/sharedStrings.xml")
    except KeyError:
        return []
    out: list[str] = []
    with f:
        for _, el in iterparse(f):
            if el.tag == f"{NS}si":  # plain <t> or rich-text runs <r><t>: the text is all <t> joined
                out.append("".join(t.text or "" for t in el.iter(f"{NS}t")))
                el.clear()
    return out


def _column(ref: str) -> int:
    n = 0
    for ch in ref:
        if "A" <= ch <= "Z":
            n = n * 26 + ord(ch) - 64
        else:
            break
    return n - 1


def _number(text: str) -> int | float:
    return int(text) if text.lstrip("-").isdigit() else float(text)


def row_count(content: bytes) -> int | None:
    """The sheet's last row number from its <dimension>, when the writer recorded one (for progress)."""
    try:
        with zipfile.ZipFile(BytesIO(content)) as book, book.open(_first_sheet(book)) as f:
            match = DIMENSION.search(f.read(4096))
    except (zipfile.BadZipFile, KeyError, Unsupported):
        return None
    return int(match.group(1)) if match else None


def rows(content: bytes) -> Iterator[list]:
    """Each row of the first sheet as a list of values (None for empty cells), like openpyxl's values_only."""
    try:
        book = zipfile.ZipFile(BytesIO(content))
        strings, sheet = _shared_strings(book), _first_sheet(book)
        f = book.open(sheet)
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError) as exc:
        raise Unsupported(str(exc)) from exc
    return _stream(book, f, strings)


def _stream(book: zipfile.ZipFile, f, strings: list[str]) -> Iterator[list]:
    c_tag, v_tag, row_tag, is_tag, t_tag = f"{NS}c", f"{NS}v", f"{NS}row", f"{NS}is", f"{NS}t"
    current: list = []
    next_row = 1
    try:
        for _, el in iterparse(f):
            tag = el.tag
            if tag == c_tag:
                kind, ref = el.get("t"), el.get("r")
                col = _column(ref) if ref else len(current)
                if kind == "inlineStr":
                    node = el.find(is_tag)
                    value = "".join(t.text or "" for t in node.iter(t_tag)) if node is not None else None
                else:
                    v = el.find(v_tag)
                    text = v.text if v is not None else None
                    if text is None:
                        value = None
                    elif kind == "s":
                        value = strings[int(text)]
                    elif kind in NUMBER_TYPES:
                        value = _number(text)
                    elif kind in ("str", "e", "d"):
                        value = text
                    elif kind == "b":
                        value = text == "1"
                    else:
                        raise Unsupported(f"cell type {kind}")
                if col >= len(current):
                    current.extend([None] * (col - len(current) + 1))
                current[col] = value
                el.clear()
            elif tag == row_tag:
                number = int(el.get("r") or next_row)
                for _ in range(next_row, number):  # rows the writer left out are empty rows
                    yield []
                yield current
                current, next_row = [], number + 1
                el.clear()
    finally:
        f.close()
        book.close()
