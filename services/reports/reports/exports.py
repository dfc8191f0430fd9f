"""One organization's report for a period, as XLSX or PDF: gather the figures, lay them out, render.

``build`` is used by the direct export (the org and its direct children) and by export jobs (every
organization of the subtree, one row each, gathered in chunks with progress reported after each).
"""
from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import date
from urllib.parse import quote

from sqlalchemy import select
from sqlalchemy.orm import Session

from shared.errors import ValidationFailed
from reports import queries, report, tree
from reports.models import OrgNode, OrgParent, StatBand
from reports.pdf import Letterhead, report_bytes
from reports.periods import period_label_vi, period_range
from reports.tables import Table, build_tables
from reports.xlsx import workbook_bytes

FORMATS = {"xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "pdf": "application/pdf"}
SUBJECT = "Kết quả sinh hoạt chi bộ và công tác đảng viên"
_NODE, _PARENT, _BAND = OrgNode.__table__, OrgParent.__table__, StatBand.__table__
# Progress callback: (units gathered, units in all, tables written, tables in all).
Progress = Callable[[int, int, int, int], None]


@dataclass(frozen=True)
class Rendered:
    content: bytes
    media_type: str
    filename: str

    def disposition(self) -> str:
        ascii_name = self.filename.encode("ascii", "ignore").decode() or "bao-cao"
        return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(self.filename)}"


def valid_format(text: str | None) -> str:
    fmt = (text or "").strip().lower()
    if fmt not in FORMATS:
        raise ValidationFailed.of("format", "Định dạng xuất không hợp lệ: chọn xlsx hoặc pdf",
                                  "Unknown export format: use xlsx or pdf")
    return fmt


def descendants(session: Session, org_id: str, on: date | None = None,
                max_depth: int | None = None) -> list[tuple[str, int]]:
    """Every organization under ``org_id`` today (down to ``max_depth`` levels), depth first, siblings by
    name: (id, depth from 1)."""
    day, children_of, seen = on or date.today(), {}, {org_id}
    frontier, depth = [org_id], 0
    while frontier and (max_depth is None or depth < max_depth):
        depth += 1
        found: dict[str, list[str]] = {}
        for start in range(0, len(frontier), 500):
            chunk = set(frontier[start:start + 500])
            candidates = session.execute(select(_PARENT.c.org_id).where(_PARENT.c.parent_id.in_(chunk))).scalars()
            for child, rows in tree.load_parents(session, set(candidates)).items():
                parent = tree.parent_on(rows, day)
                if parent in chunk and child not in seen:
                    seen.add(child)
                    found.setdefault(parent, []).append(child)
        children_of.update(found)
        frontier = [c for kids in found.values() for c in kids]
    names = queries.org_names(session, [c for kids in children_of.values() for c in kids])
    ordered: list[tuple[str, int]] = []

    def walk(parent: str, depth: int) -> None:
        for child in sorted(children_of.get(parent, []), key=lambda c: names.get(c, c)):
            ordered.append((child, depth))
            walk(child, depth + 1)

    walk(org_id, 1)
    return ordered


def subtree_units(session: Session, org_id: str, period: str, progress: Progress | None = None,
                  chunk: int = 500) -> list[dict]:
    """The figures of every organization under ``org_id``, with its depth, in tree order."""
    units = descendants(session, org_id)
    names = queries.org_names(session, [u for u, _ in units])
    rows: list[dict] = []
    for start in range(0, len(units), chunk):
        part = units[start:start + chunk]
        counts = queries.stats(session, [(u, period) for u, _ in part])
        rows += [{**queries.shape(u, names.get(u, u), period, counts.get((u, period))), "depth": depth - 1}
                 for u, depth in part]
        if progress:
            progress(len(rows), len(units), 0, 0)
    return rows


def letterhead(session: Session, org_id: str, period: str, place: str = "", today: date | None = None) -> Letterhead:
    path = queries.lineage(session, org_id) or (org_id,)
    nodes = {r.id: r for r in session.execute(select(_NODE.c.id, _NODE.c.name, _NODE.c.kind).where(
        _NODE.c.id.in_(path)))}
    org, parent, root = nodes[org_id], nodes.get(path[1]) if len(path) > 1 else None, nodes.get(path[-1])
    kind = org.kind
    symbol = {"province": "TU"}.get(kind, "CB" if kind.endswith("cell") else "ĐU")
    represent = "T/M CHI BỘ" if kind.endswith("cell") else "T/M ĐẢNG ỦY" if kind == "grassroots_committee" \
        else "T/M BAN THƯỜNG VỤ"
    return Letterhead(upper=issuer_name(parent.name) if parent else "", issuer=issuer_name(org.name), symbol=symbol,
                      represent=represent, place=place or place_of(root.name if root else org.name),
                      day=today or date.today(), subject=SUBJECT, scope=f"{org.name} — {period_label_vi(period)}")


def issuer_name(org_name: str) -> str:
    """The body that signs for an organization: "Đảng bộ tỉnh Phú Thọ" → "Tỉnh ủy Phú Thọ",
    "Đảng bộ X" → "Đảng ủy X"; a cell signs as itself."""
    for prefix, body in (("Đảng bộ tỉnh ", "Tỉnh ủy "), ("Đảng bộ thành phố ", "Thành ủy "), ("Đảng bộ ", "Đảng ủy ")):
        if org_name.startswith(prefix):
            return body + org_name[len(prefix):]
    return org_name


def place_of(root_name: str) -> str:
    """The place on the date line, from the root organization's name ("Đảng bộ tỉnh Phú Thọ" → "Phú Thọ")."""
    for marker in ("tỉnh ", "thành phố "):
        if marker in root_name:
            return root_name.split(marker, 1)[1]
    return root_name


def band_labels(session: Session, day: date) -> dict[str, dict[str, str]]:
    """The Vietnamese labels of the age and party-age bands in force on ``day`` (data: ``stat_band``), in order."""
    rows = session.execute(select(_BAND.c.dimension, _BAND.c.valid_from, _BAND.c.code, _BAND.c.min_years,
                                  _BAND.c.label_vi).where(_BAND.c.valid_from <= day)).all()
    since = {d: max(r.valid_from for r in rows if r.dimension == d) for d in {r.dimension for r in rows}}
    return {d: {r.code: r.label_vi for r in sorted(rows, key=lambda r: r.min_years)
                if r.dimension == d and r.valid_from == since[d]} for d in since}


def render(tables: list[Table], head: Letterhead, fmt: str, org_slug: str, period: str) -> Rendered:
    title = f"BÁO CÁO {head.subject} — {head.scope}"
    content = workbook_bytes(tables, title) if fmt == "xlsx" else report_bytes(tables, head)
    return Rendered(content, FORMATS[fmt], f"bao-cao-{org_slug}-{period}.{fmt}")


def build(session: Session, org_id: str, period: str, fmt: str, *, subtree: bool = False, place: str = "",
          progress: Progress | None = None, chunk: int = 500) -> Rendered:
    first, last = period_range(period)  # the figures API's answer for the period, so the two never disagree
    figures = report.full_figures(session, org_id, period, first, last, "as_was", named_period=True)
    units = subtree_units(session, org_id, period, progress, chunk) if subtree else None
    tables = build_tables(figures, units, band_labels(session, last))
    head = letterhead(session, org_id, period, place)
    rendered = render(tables, head, fmt, org_id[:8], period)
    if progress:
        total = len(units) if units is not None else 0
        progress(total, total, len(tables), len(tables))
    return rendered
