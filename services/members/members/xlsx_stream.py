"""Plain cell values of an XLSX's first sheet, streamed from the sheet XML (no I/O beyond the bytes given).

openpyxl's reader builds a cell object per value and costs most of a 100,000-row HR import; the HR export
holds plain values only (text, numbers), so this reads the shared strings and the sheet XML with a streaming
parser. Anything unusual (no first sheet, an unknown cell type, a broken part) raises ``Unsupported`` before
the first row, and the caller falls back to openpyxl.

Two readers give the same values: ``_scan`` reads the plain markup every writer of such exports produces
(``<row><c r t><v>…</v></c>…</row>``, inline strings ``<is><t>…</t></is>``, ``<si><t>…</t></si>``) with anchored
regular expressions, ~4× faster than ``iterparse``, which builds an element for every cell, value and text. At
the first markup it does not know exactly (a comment, CDATA, rich text, a namespace prefix, another encoding,
single-quoted attributes, an entity other than the XML ones) it stops and ``iterparse`` reads the sheet from
that row on (``_stream``, the general reader), so nothing is ever guessed."""
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
FAST_READ_LIMIT = 256 * 1024 * 1024  # sheet XML bytes the fast reader holds in memory at once (~500,000 rows)


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
    with f:
        fast = _scan_strings(f.read())
    if fast is not None:
        return fast
    f = book.open("xl/sharedStrings.xml")
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
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, Unsupported):
        return None
    return int(match.group(1)) if match else None


def rows(content: bytes) -> Iterator[list]:
    """Each row of the first sheet as a list of values (None for empty cells), like openpyxl's values_only."""
    try:
        book = zipfile.ZipFile(BytesIO(content))
        strings, sheet = _shared_strings(book), _first_sheet(book)
        if book.getinfo(sheet).file_size > FAST_READ_LIMIT:
            return _stream(book, book.open(sheet), strings)
        with book.open(sheet) as f:
            data = f.read()
    except (zipfile.BadZipFile, KeyError, OSError, SyntaxError, zipfile.LargeZipFile) as exc:
        raise Unsupported(str(exc)) from exc
    return _rows(book, sheet, data, strings)


def _rows(book: zipfile.ZipFile, sheet: str, data: bytes, strings: list[str]) -> Iterator[list]:
    done = 0  # rows the fast reader gave; the general one goes on after them
    try:
        for row in _scan(data, strings):
            done += 1
            yield row
        book.close()
        return
    except _Unknown:
        pass
    del data
    skipped = 0
    for row in _stream(book, book.open(sheet), strings):
        if skipped < done:
            skipped += 1
            continue
        yield row


# ---- the fast reader: plain markup only, anchored (each match starts where the last one ended) ----------------

class _Unknown(Exception):
    """Markup the fast reader does not know exactly: the general reader takes over."""


_ATTRS = r'((?:\s+[\w:.-]+="[^"<&]*")*)\s*'
_ROW = re.compile(r'\s*<row(?:\s+r="(?P<r>[0-9]+)")?(?P<more>' + _ATTRS[1:] + r'(?P<empty>/?)>')
_ROW_END = re.compile(r'\s*</row>')
_CELL = re.compile(  # attributes in the order writers put them (r, s, t); any other: the general reader
    r'\s*<c(?:\s+r="(?P<col>[A-Z]+)[0-9]+")?(?:\s+s="[0-9]+")?(?:\s+t="(?P<kind>\w+)")?(?P<more>' + _ATTRS[1:]
    + r'(?:/>|>'
    r'(?:<f\b[^<>]*?(?:/>|>[^<]*</f>))?'
    r'(?:<v>(?P<v>[^<]*)</v>|<v\s*/>)?'
    r'(?:(?P<inline><is>)(?:<t' + _ATTRS + r'>(?P<t>[^<]*)</t>|<t' + _ATTRS + r'/>)?</is>|(?P<empty><is\s*/>))?'
    r'</c>)')
_ROW_NUMBER = re.compile(r'(?:^|\s)r=')
_ATTR = re.compile(r'([\w:.-]+)="([^"]*)"')
_ENTITY = re.compile(r"&(?:#([0-9]+)|#x([0-9a-fA-F]+)|(lt|gt|amp|quot|apos));")
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"', "apos": "'"}
_SI = re.compile(r'\s*<si>(?:<t' + _ATTRS + r'>([^<]*)</t>|<t' + _ATTRS + r'/>)</si>')
_UTF8 = re.compile(r'\A(?:\ufeff)?(?:<\?xml[^>]*?encoding="(?:UTF-8|utf-8)"[^>]*\?>'  # UTF-8 said or implied
                   r'|<\?xml(?:(?!encoding)[^>])*\?>)?\s*')


_DECODED: dict[str, str] = {}  # "&#7843;" -> "ả": the few hundred a Vietnamese text uses, decoded once


def _entity(m: re.Match) -> str:
    entity = m.group(0)
    char = _DECODED.get(entity)
    if char is None:
        if m.group(3):
            char = _NAMED[m.group(3)]
        else:
            code = int(m.group(1)) if m.group(1) else int(m.group(2), 16)
            if not (code in (0x9, 0xA, 0xD) or 0x20 <= code <= 0xD7FF or 0xE000 <= code <= 0xFFFD
                    or 0x10000 <= code <= 0x10FFFF):
                raise _Unknown  # not a character XML allows: the general reader refuses the file
            char = chr(code)
        if len(_DECODED) < 5_000:
            _DECODED[entity] = char
    return char


def _text(raw: str) -> str:
    """Character data as an XML parser gives it: line ends normalized, the XML entities replaced."""
    if "\r" in raw:
        raw = raw.replace("\r\n", "\n").replace("\r", "\n")
    if "&" in raw:
        decoded, count = _ENTITY.subn(_entity, raw)
        if count != raw.count("&"):  # an entity a DTD would have to define
            raise _Unknown
        return decoded
    return raw


def _body(data: bytes, root: str, body: str) -> tuple[str, int, int] | None:
    """The document as text and where the children of ``<root><body>`` lie; None when it has no such element
    (then there is nothing in it); ``_Unknown`` unless the markup around is the plain kind."""
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise _Unknown from None
    head = _UTF8.match(text)
    if head is None or text.startswith("<!", head.end()):
        raise _Unknown  # another encoding, a DOCTYPE, a comment before the root
    opening = re.compile(r"<" + root + _ATTRS + r">").match(text, head.end())
    if opening is None or dict(_ATTR.findall(opening.group(1))).get("xmlns") != NS[1:-1]:
        raise _Unknown
    if body == root:
        start = opening.end()
    else:
        found = re.compile(r"<" + body + r"\s*(/?)>").search(text, opening.end())
        if found is None:
            if "<" + body in text or ":" + body in text:
                raise _Unknown
            return None
        if found.group(1):
            return None
        start = found.end()
    end = text.find("</" + body + ">", start)
    if end < 0:
        raise _Unknown
    if text.find("xmlns", start, end) >= 0 or text.find("<!", head.end(), end) >= 0 or \
            text.find("<?", head.end(), end) >= 0:
        raise _Unknown  # a namespace declared again, a comment, CDATA, a processing instruction
    return text, start, end


def _scan_strings(data: bytes) -> list[str] | None:
    """The shared strings table when every entry is one plain ``<t>``; None otherwise (rich text: iterparse)."""
    try:
        found = _body(data, "sst", "sst")
        if found is None:
            return []
        text, pos, end = found
        out, match = [], _SI.match
        while pos < end:
            m = match(text, pos, end)
            if m is None:
                if text[pos:end].strip():
                    raise _Unknown
                break
            out.append(_text(m.group(2) or ""))
            pos = m.end()
        return out
    except _Unknown:
        return None


def _scan(data: bytes, strings: list[str]) -> Iterator[list]:
    found = _body(data, "worksheet", "sheetData")
    if found is None:
        return
    text, pos, end = found
    row_match, end_match, cell_match = _ROW.match, _ROW_END.match, _CELL.match
    columns: dict[str, int] = {}
    texts: dict[str, str] = {}  # inline strings with entities, decoded once (units, positions repeat)
    next_row = 1
    while pos < end:
        m = row_match(text, pos, end)
        if m is None:
            if text[pos:end].strip():
                raise _Unknown
            return
        number, more, empty = m.group("r", "more", "empty")
        if more and _ROW_NUMBER.search(more):
            raise _Unknown  # its number after other attributes
        pos = m.end()
        current: list = []
        while not empty:
            c = cell_match(text, pos, end)
            if c is None:
                closing = end_match(text, pos, end)
                if closing is None:
                    raise _Unknown
                pos = closing.end()
                break
            pos = c.end()
            letters, kind, more, raw, inline, inline_text, inline_empty = c.group(
                "col", "kind", "more", "v", "inline", "t", "empty")
            if more:
                raise _Unknown
            if letters:
                col = columns.get(letters)
                if col is None:
                    col = columns[letters] = _column(letters)
            else:
                col = len(current)
            if kind == "inlineStr":
                if inline is None:
                    value = "" if inline_empty is not None else None
                elif inline_text and ("&" in inline_text or "\r" in inline_text):
                    value = texts.get(inline_text)
                    if value is None:
                        if len(texts) > 50_000:
                            texts.clear()
                        value = texts[inline_text] = _text(inline_text)
                else:
                    value = inline_text or ""
            else:
                if raw and ("&" in raw or "\r" in raw):
                    raw = _text(raw)
                value = _typed(kind, raw or None, strings)
            if col >= len(current):
                current.extend([None] * (col - len(current) + 1))
            current[col] = value
        number = int(number or next_row)
        for _ in range(next_row, number):  # rows the writer left out are empty rows
            yield []
        yield current
        next_row = number + 1


def _typed(kind: str | None, text: str | None, strings: list[str]):
    """A cell's value from its type attribute and its <v> text (both readers)."""
    if text is None:
        return None
    if kind == "s":
        return strings[int(text)]
    if kind in NUMBER_TYPES:
        return _number(text)
    if kind in ("str", "e", "d"):
        return text
    if kind == "b":
        return text == "1"
    raise Unsupported(f"cell type {kind}")


# ---- the general reader -------------------------------------------------------------------------------------

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
                    value = _typed(kind, text, strings)
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
