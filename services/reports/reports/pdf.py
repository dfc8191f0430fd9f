"""Tables as a PDF laid out as a Vietnamese administrative report (DejaVu Sans covers every diacritic).

Header block: the upper committee and the issuing committee on the left with the number line
"Số … -BC/…", "ĐẢNG CỘNG SẢN VIỆT NAM" and "<place>, ngày … tháng … năm …" on the right; then the title
"BÁO CÁO", the subject, the organization and the period, the tables, and the recipients and signature block.
"""
from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from numbers import Number
from xml.sax.saxutils import escape

from reportlab.lib import colors
from reportlab.lib.enums import TA_CENTER, TA_LEFT
from reportlab.lib.pagesizes import A4
from reportlab.lib.styles import ParagraphStyle
from reportlab.lib.units import mm
from reportlab.platypus import KeepTogether, Paragraph, SimpleDocTemplate, Spacer
from reportlab.platypus import Table as PdfTable
from reportlab.platypus import TableStyle

from shared.fonts import register_reportlab_fonts
from reports.tables import Percent, Table


@dataclass(frozen=True)
class Letterhead:
    upper: str  # the committee above the issuer ("" for the province)
    issuer: str  # the issuing organization's name
    symbol: str  # after "-BC/": ĐU, CB, TU …
    represent: str  # signature line: "T/M ĐẢNG ỦY", "T/M CHI BỘ" …
    place: str
    day: date
    subject: str  # e.g. "Kết quả sinh hoạt chi bộ và công tác đảng viên"
    scope: str  # the organization and period reported on


def vi_number(value: object) -> str:
    """1.185 / 79,7% / 12,5: Vietnamese separators, numbers right-aligned in the tables."""
    if value is None:
        return "—"
    if isinstance(value, Percent):
        return f"{value * 100:.1f}%".replace(".", ",")
    if isinstance(value, bool) or not isinstance(value, Number):
        return str(value)
    if isinstance(value, int):
        return f"{value:,}".replace(",", ".")
    return f"{value:,.1f}".replace(",", " ").replace(".", ",").replace(" ", ".")


def report_bytes(tables: Sequence[Table], head: Letterhead) -> bytes:
    regular, bold = register_reportlab_fonts()
    styles = _styles(regular, bold)
    out = io.BytesIO()
    doc = SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=15 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=f"BÁO CÁO {head.subject} — {head.scope}", author=head.issuer)
    width = doc.width
    story: list = [_letterhead(head, styles, width), Spacer(1, 8 * mm),
                   Paragraph("BÁO CÁO", styles["title"]), Paragraph(escape(head.subject), styles["subtitle"]),
                   Paragraph(escape(head.scope), styles["subtitle"]), Paragraph("-----", styles["center"]),
                   Spacer(1, 4 * mm)]
    for number, (section, group) in enumerate(sections(tables), 1):
        if len(group) == 1:
            story.append(Paragraph(f"{number}. {escape(group[0].title)}", styles["heading"]))
        else:
            story.append(Paragraph(f"{number}. {escape(section)}", styles["heading"]))
        for sub, table in enumerate(group, 1):
            if len(group) > 1:
                story.append(Paragraph(f"{number}.{sub}. {escape(table.title)}", styles["subheading"]))
            story += [_table(table, styles, width) if table.rows else Paragraph("Không có.", styles["base"]),
                      Spacer(1, 4 * mm)]
    story.append(KeepTogether(_signature(head, styles, width)))
    doc.build(story)
    return out.getvalue()


def sections(tables: Sequence[Table]) -> list[tuple[str, list[Table]]]:
    """Consecutive tables of the same section form one numbered section (a table without one is its own)."""
    out: list[tuple[str, list[Table]]] = []
    for table in tables:
        if table.section and out and out[-1][0] == table.section:
            out[-1][1].append(table)
        else:
            out.append((table.section or table.title, [table]))
    return out


def _styles(regular: str, bold: str) -> dict[str, ParagraphStyle]:
    base = ParagraphStyle("base", fontName=regular, fontSize=10.5, leading=14)
    return {
        "base": base,
        "center": ParagraphStyle("center", parent=base, alignment=TA_CENTER),
        "center_bold": ParagraphStyle("center_bold", parent=base, alignment=TA_CENTER, fontName=bold),
        "title": ParagraphStyle("title", parent=base, alignment=TA_CENTER, fontName=bold, fontSize=15, leading=20),
        "subtitle": ParagraphStyle("subtitle", parent=base, alignment=TA_CENTER, fontName=bold, fontSize=11.5),
        "heading": ParagraphStyle("heading", parent=base, fontName=bold, fontSize=11, spaceBefore=4, spaceAfter=4),
        "subheading": ParagraphStyle("subheading", parent=base, fontName=bold, fontSize=10, spaceBefore=2,
                                     spaceAfter=3, leftIndent=4 * mm),
        "cell": ParagraphStyle("cell", parent=base, fontSize=9, leading=11, alignment=TA_LEFT),
        "cell_bold": ParagraphStyle("cell_bold", parent=base, fontSize=9, leading=11, fontName=bold),
        "head": ParagraphStyle("head", parent=base, fontSize=9, leading=11, fontName=bold, alignment=TA_CENTER),
    }


def _letterhead(head: Letterhead, styles: dict, width: float) -> PdfTable:
    left = [Paragraph(escape(head.upper.upper()), styles["center"])] if head.upper else []
    left += [Paragraph(escape(head.issuer.upper()), styles["center_bold"]), Paragraph("*", styles["center"]),
             Paragraph(f"Số&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;&nbsp;-BC/{escape(head.symbol)}", styles["center"])]
    day = head.day
    right = [Paragraph("<u>ĐẢNG CỘNG SẢN VIỆT NAM</u>", styles["center_bold"]), Spacer(1, 4 * mm),
             Paragraph(f"{escape(head.place)}, ngày {day.day:02d} tháng {day.month:02d} năm {day.year}",
                       styles["center"])]
    table = PdfTable([[left, right]], colWidths=[width * 0.45, width * 0.55])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return table


def _table(table: Table, styles: dict, width: float) -> PdfTable:
    head = [Paragraph(escape(h), styles["head"]) for h in table.headers]
    rows = [head]
    for index, row in enumerate(table.rows):
        style = styles["cell_bold"] if index in table.bold_rows or index in table.heading_rows else styles["cell"]
        rows.append([_paragraph(v, style) if isinstance(v, str) else "" if index in table.heading_rows
                     else vi_number(v) for v in row])
    first = width * (0.34 if len(table.headers) > 3 else 0.6)
    rest = (width - first) / max(1, len(table.headers) - 1)
    pdf = PdfTable(rows, colWidths=[first, *[rest] * (len(table.headers) - 1)], repeatRows=1)
    commands = [("FONTNAME", (0, 0), (-1, -1), styles["cell"].fontName), ("FONTSIZE", (0, 0), (-1, -1), 9),
                ("GRID", (0, 0), (-1, -1), 0.5, colors.grey), ("VALIGN", (0, 0), (-1, -1), "MIDDLE"),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#EEEEEE")), ("ALIGN", (1, 1), (-1, -1), "RIGHT")]
    commands += [("FONTNAME", (0, i + 1), (-1, i + 1), styles["cell_bold"].fontName) for i in table.bold_rows]
    group = colors.HexColor("#F3E5E5")  # a heading row: one label across the row
    commands += [c for i in table.heading_rows
                 for c in (("SPAN", (0, i + 1), (-1, i + 1)), ("BACKGROUND", (0, i + 1), (-1, i + 1), group))]
    pdf.setStyle(TableStyle(commands))
    return pdf


def _paragraph(text: str, style: ParagraphStyle) -> Paragraph:
    """A cell's text; leading spaces (an organization's depth in the tree) become a hanging indent."""
    stripped = text.lstrip(" ")
    depth = len(text) - len(stripped)
    if depth:
        style = ParagraphStyle(f"{style.name}-{depth}", parent=style, leftIndent=depth * 2.5)
    return Paragraph(escape(stripped), style)


def _signature(head: Letterhead, styles: dict, width: float) -> list:
    left = [Paragraph("<u>Nơi nhận:</u>", styles["cell_bold"]),
            Paragraph("- Cấp ủy cấp trên (để báo cáo),", styles["cell"]),
            Paragraph("- Lưu văn phòng.", styles["cell"])]
    right = [Paragraph(escape(head.represent), styles["center_bold"]), Paragraph("BÍ THƯ", styles["center_bold"]),
             Spacer(1, 18 * mm), Paragraph("(Ký, ghi rõ họ tên)", styles["center"])]
    table = PdfTable([[left, right]], colWidths=[width * 0.5, width * 0.5])
    table.setStyle(TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP"), ("LEFTPADDING", (0, 0), (-1, -1), 0)]))
    return [Spacer(1, 6 * mm), table]
