"""The minutes (biên bản sinh hoạt chi bộ) composed from the structured record, in Vietnamese, as DOCX and PDF.

``compose`` is pure: it turns a meeting (as the API shows it) and names into the text of the minutes, in the
order of HD 12 / HD 42 (opening, content, speakers, upper-level remarks, conclusion and vote, quality, closing)
and the layout of a Vietnamese administrative document (header block, place and date, title, signatures).
``to_docx`` (python-docx) and ``to_pdf`` (reportlab, DejaVu Sans) only lay that text out.
"""
from __future__ import annotations

import io
import uuid
from dataclasses import dataclass, field
from datetime import datetime, timedelta

from shared.fonts import register_reportlab_fonts

from meetings.schemas import MeetingOut

KIND_TITLES = {
    "regular": "Sinh hoạt thường kỳ", "thematic": "Sinh hoạt chuyên đề",
    "combined": "Sinh hoạt thường kỳ kết hợp chuyên đề", "extraordinary": "Sinh hoạt bất thường",
    "model": "Sinh hoạt chi bộ điểm",
}
ABSENCE_LABELS = (("absent_excused", "Vắng có lý do"), ("absent_unexcused", "Vắng không có lý do"),
                  ("exempt", "Miễn công tác và sinh hoạt"), ("away", "Đi vắng (chuyển sinh hoạt tạm thời)"))
LEVEL_LABELS = {"tot": "Tốt", "kha": "Khá", "trung_binh": "Trung bình", "kem": "Kém"}
PROVINCE_PREFIXES = ("Đảng bộ tỉnh ", "Đảng bộ thành phố ")
NOBODY = "……………………"


@dataclass(frozen=True)
class Minutes:
    committee: str  # the upper party committee, upper case (header, left)
    cell: str  # the cell, upper case (header, left, bold)
    place_date: str
    title: str
    subtitle: str
    sections: list[tuple[str, list[str]]] = field(default_factory=list)
    closing: list[str] = field(default_factory=list)
    minute_taker: str = NOBODY
    chair: str = NOBODY


def compose(meeting: MeetingOut, cell_name: str, lineage_names: list[str], names: dict[uuid.UUID, str]) -> Minutes:
    """The minutes of one meeting; ``lineage_names`` are the cell's ancestors, nearest first."""
    name = lambda member_id: names.get(member_id, NOBODY) if member_id else NOBODY  # noqa: E731
    upper = lineage_names[0] if lineage_names else ""
    return Minutes(
        committee=upper.upper(), cell=cell_name.upper(), place_date=_place_date(meeting, lineage_names),
        title="BIÊN BẢN SINH HOẠT CHI BỘ",
        subtitle=f"{KIND_TITLES.get(meeting.kind, meeting.kind)} tháng {meeting.held_on.month} "
                 f"năm {meeting.held_on.year}",
        sections=[_time_and_place(meeting), _participants(meeting, names, name), _agenda(meeting),
                  _speakers(meeting, names), *_upper_level(meeting), _conclusion(meeting), _quality(meeting)],
        closing=_closing(meeting), minute_taker=name(meeting.minute_taker_id), chair=name(meeting.chair_id))


def _place_date(meeting: MeetingOut, lineage_names: list[str]) -> str:
    day = meeting.held_on
    locality = next((n[len(p):] for n in reversed(lineage_names) for p in PROVINCE_PREFIXES if n.startswith(p)), "")
    text = f"ngày {day.day:02d} tháng {day.month:02d} năm {day.year}"
    return f"{locality}, {text}" if locality else text[0].upper() + text[1:]


def _time_and_place(meeting: MeetingOut) -> tuple[str, list[str]]:
    start = f"{meeting.started_at.hour} giờ {meeting.started_at.minute:02d} phút, " if meeting.started_at else ""
    place = f" tại {meeting.place}" if meeting.place else ""
    return "THỜI GIAN, ĐỊA ĐIỂM", [f"Vào hồi {start}ngày {meeting.held_on:%d/%m/%Y}{place}."]


def _participants(meeting: MeetingOut, names: dict, name) -> tuple[str, list[str]]:
    lines = [f"Chủ trì: đồng chí {name(meeting.chair_id)}.", f"Thư ký: đồng chí {name(meeting.minute_taker_id)}."]
    total = len(meeting.attendance)
    present = [a for a in meeting.attendance if a.status == "present"]
    expected = total - sum(1 for a in meeting.attendance if a.status == "exempt")
    lines.append(f"Tổng số đảng viên của chi bộ: {total}; phải dự: {expected}; có mặt: {len(present)}.")
    for status, label in ABSENCE_LABELS:
        absent = [a for a in meeting.attendance if a.status == status]
        if absent:
            who = "; ".join(names.get(a.member_id, NOBODY) + (f" ({a.absence_reason})" if a.absence_reason else "")
                            for a in absent)
            lines.append(f"{label}: {len(absent)} đồng chí — {who}.")
    if meeting.upper_level:
        position = f", {meeting.upper_level.position}" if meeting.upper_level.position else ""
        lines.append(f"Đại biểu cấp ủy cấp trên dự: đồng chí {meeting.upper_level.full_name}{position}.")
    return "THÀNH PHẦN", lines


def _agenda(meeting: MeetingOut) -> tuple[str, list[str]]:
    if not meeting.agenda:
        return "NỘI DUNG", ["(Không ghi nội dung chương trình.)"]
    return "NỘI DUNG", [f"{i}. {item.title} — {'đã thực hiện' if item.done else 'chưa thực hiện'}."
                             for i, item in enumerate(meeting.agenda, 1)]


def _speakers(meeting: MeetingOut, names: dict) -> tuple[str, list[str]]:
    present = [a for a in meeting.attendance if a.status == "present"]
    spoke = [a for a in present if a.spoke]
    lines = [f"Số đảng viên phát biểu: {len(spoke)}/{len(present)} đồng chí có mặt."]
    lines += [f"Đồng chí {names.get(a.member_id, NOBODY)}: {a.opinion or 'phát biểu ý kiến'}." for a in spoke]
    return "Ý KIẾN PHÁT BIỂU", lines


def _upper_level(meeting: MeetingOut) -> list[tuple[str, list[str]]]:
    if not meeting.upper_level:
        return []
    remarks = meeting.upper_level.remarks or "(không ghi ý kiến)"
    return [("Ý KIẾN CỦA ĐỒNG CHÍ CẤP ỦY CẤP TRÊN", [f"Đồng chí {meeting.upper_level.full_name}: {remarks}"])]


def _conclusion(meeting: MeetingOut) -> tuple[str, list[str]]:
    lines = [meeting.resolution or "(Chưa ghi kết luận.)"]
    if meeting.vote:
        v = meeting.vote
        lines.append(f"Biểu quyết: tán thành {v.in_favour}, không tán thành {v.against}, ý kiến khác {v.abstain}.")
    return "KẾT LUẬN, NGHỊ QUYẾT", lines


def _quality(meeting: MeetingOut) -> tuple[str, list[str]]:
    lines = []
    if meeting.proposed_score is not None:
        lines.append(f"Chi ủy đề xuất: {_number(meeting.proposed_score)} điểm.")
    if meeting.rating:
        lines.append(f"Điểm theo thang điểm {meeting.rating.rubric_code} (phiên bản {meeting.rating.rubric_version}): "
                     f"{_number(meeting.rating.score)} điểm — xếp loại {LEVEL_LABELS[meeting.rating.level]}.")
    return "ĐÁNH GIÁ CHẤT LƯỢNG BUỔI SINH HOẠT", lines or ["(Chưa chấm điểm.)"]


def _closing(meeting: MeetingOut) -> list[str]:
    ends = ""
    if meeting.started_at:
        end = datetime.combine(meeting.held_on, meeting.started_at) + timedelta(minutes=meeting.duration_minutes)
        ends = f"lúc {end.hour} giờ {end.minute:02d} phút "
    lines = [f"Buổi sinh hoạt kết thúc {ends}cùng ngày; thời lượng {meeting.duration_minutes} phút."]
    lines += [f"Lưu ý: {w.msg_vi}." for w in meeting.warnings]
    lines.append("Biên bản đã được thông qua trước chi bộ.")
    return lines


def _number(value: float) -> str:
    return (f"{value:.2f}".rstrip("0").rstrip(".")).replace(".", ",")


def numbered(minutes: Minutes) -> list[tuple[str, list[str]]]:
    """Sections with Roman numerals in order (the upper-level section is optional)."""
    romans = ["I", "II", "III", "IV", "V", "VI", "VII", "VIII"]
    return [(f"{romans[i]}. {title}", lines) for i, (title, lines) in enumerate(minutes.sections)]


def to_docx(minutes: Minutes) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name, style.font.size = "Times New Roman", Pt(13)
    header = doc.add_table(rows=1, cols=2)
    left, right = header.rows[0].cells
    _cell_lines(left, [(minutes.committee, False, False), (minutes.cell, True, False), ("*", False, False)])
    _cell_lines(right, [("ĐẢNG CỘNG SẢN VIỆT NAM", True, True), ("", False, False),
                        (minutes.place_date, False, False)], italic_last=True)
    for text, size in ((minutes.title, 15), (minutes.subtitle, 13)):
        p = doc.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.font.size = True, Pt(size)
    for title, lines in numbered(minutes):
        doc.add_paragraph().add_run(title).bold = True
        for line in lines:
            doc.add_paragraph(line)
    for line in minutes.closing:
        doc.add_paragraph(line)
    signatures = doc.add_table(rows=3, cols=2)
    for col, (role, name) in enumerate((("THƯ KÝ", minutes.minute_taker), ("CHỦ TRÌ", minutes.chair))):
        _cell_lines(signatures.rows[0].cells[col], [(role, True, False)])
        _cell_lines(signatures.rows[1].cells[col], [("(Ký, ghi rõ họ tên)", False, False)], italic_last=True)
        _cell_lines(signatures.rows[2].cells[col], [("", False, False), ("", False, False), (name, True, False)])
    out = io.BytesIO()
    doc.save(out)
    return out.getvalue()


def _cell_lines(cell, lines: list[tuple[str, bool, bool]], italic_last: bool = False) -> None:
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    cell.paragraphs[0].text = ""
    for i, (text, bold, underline) in enumerate(lines):
        p = cell.paragraphs[0] if i == 0 else cell.add_paragraph()
        p.alignment = WD_ALIGN_PARAGRAPH.CENTER
        run = p.add_run(text)
        run.bold, run.underline = bold, underline
        run.italic = italic_last and i == len(lines) - 1


def to_pdf(minutes: Minutes) -> bytes:
    from reportlab.lib.enums import TA_CENTER
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle
    from xml.sax.saxutils import escape

    regular, bold = register_reportlab_fonts()
    body = ParagraphStyle("body", fontName=regular, fontSize=11.5, leading=15, spaceAfter=3)
    centre = ParagraphStyle("centre", parent=body, alignment=TA_CENTER)
    strong = ParagraphStyle("strong", parent=centre, fontName=bold)
    heading = ParagraphStyle("heading", parent=body, fontName=bold, spaceBefore=6)
    title = ParagraphStyle("title", parent=strong, fontSize=15, leading=20, spaceBefore=10)
    p = lambda text, style=body: Paragraph(escape(text), style)  # noqa: E731
    story = [Table([[[p(minutes.committee, centre), p(minutes.cell, strong), p("*", centre)],
                     [Paragraph(f"<u>{escape('ĐẢNG CỘNG SẢN VIỆT NAM')}</u>", strong), Spacer(1, 4),
                      Paragraph(f"<i>{escape(minutes.place_date)}</i>", centre)]]],
                   colWidths=[80 * mm, 90 * mm], style=TableStyle([("VALIGN", (0, 0), (-1, -1), "TOP")])),
             p(minutes.title, title), p(minutes.subtitle, strong), Spacer(1, 6)]
    for section, lines in numbered(minutes):
        story.append(p(section, heading))
        story += [p(line) for line in lines]
    story += [p(line) for line in minutes.closing]
    story.append(Spacer(1, 10))
    story.append(Table([[p("THƯ KÝ", strong), p("CHỦ TRÌ", strong)],
                        [p("(Ký, ghi rõ họ tên)", centre), p("(Ký, ghi rõ họ tên)", centre)],
                        [Spacer(1, 18 * mm), Spacer(1, 18 * mm)],
                        [p(minutes.minute_taker, strong), p(minutes.chair, strong)]], colWidths=[85 * mm, 85 * mm]))
    out = io.BytesIO()
    SimpleDocTemplate(out, pagesize=A4, leftMargin=25 * mm, rightMargin=15 * mm, topMargin=20 * mm,
                      bottomMargin=20 * mm, title=minutes.title, author=minutes.cell).build(story)
    return out.getvalue()
