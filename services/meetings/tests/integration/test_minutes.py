"""The minutes (biên bản) generated from the record as DOCX and PDF, read back with diacritics intact."""
from __future__ import annotations

import io
import unicodedata

import pytest
from docx import Document
from pypdf import PdfReader

URL = "/meetings/api/meetings"


def nfc(text: str) -> str:
    return unicodedata.normalize("NFC", text)


def docx_text(content: bytes) -> str:
    doc = Document(io.BytesIO(content))
    parts = [p.text for p in doc.paragraphs]
    parts += [p.text for t in doc.tables for row in t.rows for cell in row.cells for p in cell.paragraphs]
    return nfc("\n".join(parts))


def pdf_text(content: bytes) -> str:
    return nfc("\n".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages))


EXPECTED = ["ĐẢNG CỘNG SẢN VIỆT NAM", "ĐẢNG BỘ KHỐI CƠ QUAN TỈNH", "CHI BỘ VĂN PHÒNG", "BIÊN BẢN SINH HOẠT CHI BỘ",
            "Phú Thọ, ngày 10 tháng 03 năm 2026", "Sinh hoạt thường kỳ tháng 3 năm 2026",
            "Chủ trì: đồng chí Nguyễn Văn An", "Thư ký: đồng chí Trần Thị Bình",
            "Vắng có lý do: 1 đồng chí — Lê Văn Cường (Ốm)", "Hội trường tầng 2",
            "Kiểm điểm nghị quyết tháng trước — đã thực hiện", "Đề nghị đẩy mạnh cải cách hành chính",
            "Đồng chí Đỗ Thị Hương: Chi bộ chuẩn bị chu đáo", "Thống nhất triển khai nghị quyết",
            "Biểu quyết: tán thành 2, không tán thành 0, ý kiến khác 0", "Chi ủy đề xuất: 92,5 điểm",
            "kết thúc lúc 16 giờ 00 phút", "THƯ KÝ", "CHỦ TRÌ"]
ORDER = ["THÀNH PHẦN", "NỘI DUNG", "Ý KIẾN PHÁT BIỂU", "Ý KIẾN CỦA ĐỒNG CHÍ CẤP ỦY CẤP TRÊN", "KẾT LUẬN, NGHỊ QUYẾT",
         "ĐÁNH GIÁ CHẤT LƯỢNG"]


@pytest.fixture
async def recorded(client, auth, full_record) -> str:
    body = full_record(vote={"for": 2, "against": 0, "abstain": 0})
    body["attendance"][2].update(status="absent_excused", spoke=False, absence_reason="Ốm")
    response = await client.post(URL, json=body, headers=auth())
    assert response.status_code == 201, response.text
    return response.json()["id"]


@pytest.mark.parametrize("fmt, read", [("docx", docx_text), ("pdf", pdf_text)])
async def test_the_minutes_read_back_in_vietnamese_with_every_diacritic_in_hd12_order(
        client, auth, recorded, fmt, read):
    response = await client.get(f"{URL}/{recorded}/minutes.{fmt}", headers=auth())
    assert response.status_code == 200, response.text
    assert f"bien-ban-{recorded}.{fmt}" in response.headers["content-disposition"]
    text = read(response.content)
    flat = " ".join(text.split())
    for phrase in EXPECTED:
        assert nfc(phrase) in flat, phrase
    positions = [flat.index(nfc(f"{roman}. {title}")) for roman, title in zip(["II", "III", "IV", "V", "VI", "VII"],
                                                                              ORDER)]
    assert positions == sorted(positions)


@pytest.mark.parametrize("role, org", [("secretary", "other_cell"), ("committee", "other_committee"),
                                       ("member", "cell")])
async def test_the_minutes_are_refused_outside_the_subtree_or_to_a_plain_member(
        client, auth, world, recorded, role, org):
    for fmt in ("docx", "pdf"):
        response = await client.get(f"{URL}/{recorded}/minutes.{fmt}", headers=auth(role, getattr(world, org)))
        assert response.status_code == 403, response.text


async def test_the_minutes_of_an_unknown_meeting_are_not_found(client, auth):
    response = await client.get(f"{URL}/00000000-0000-0000-0000-000000000000/minutes.pdf", headers=auth())
    assert response.status_code == 404
