"""The member's notices page in headless Chromium on a 360×740 phone: their notices newest first, unread marked,
large type without sideways scrolling, and "Đã đọc" marks exactly that notice read."""
from __future__ import annotations

import os
import uuid
from datetime import datetime, timedelta, timezone
from pathlib import Path

import pytest
from sqlalchemy import select

from shared import clock
from shared.auth import COOKIE_NAME, Principal, issue_token
from shared.uow import UnitOfWork

from meetings import notices
from meetings.bootstrap import create_app
from meetings.models import Notice, outbox

from .test_form_browser import ARGS, CHROMIUM, MISSING, seed, serving

SHOTS = Path(os.environ.get("CHIBO_FORM_SCREENSHOTS", "var/screenshots"))
pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING and not os.environ.get("CI"), reason=(
    f"!!! BROWSER TEST SKIPPED: {CHROMIUM} not found (apt-get install -y chromium); under CI this fails !!!"))]


def three_notices(engine, cell: uuid.UUID, member: uuid.UUID) -> None:
    """An account linked to the member; a meeting scheduled, then moved; another scheduled, then cancelled:
    four notices."""
    secretary = Principal("bithu", "secretary", cell)
    uow = UnitOfWork(engine, outbox)
    notices.link_account(uow, secretary, cell, "an", member, clock.today())
    now, day = datetime.now(timezone.utc), timedelta(days=1)
    first, _ = notices.schedule_meeting(uow, secretary, notices.ScheduleRequest(
        cell, (now + 5 * day).replace(hour=7, minute=0, second=0, microsecond=0), "Phòng họp số 1", "regular",
        ("Thông tin thời sự", "Kiểm điểm nghị quyết tháng trước")), now, day)
    notices.reschedule(uow, secretary, uuid.UUID(first.id), None, "Hội trường Ủy ban nhân dân xã", now, day)
    other, _ = notices.schedule_meeting(uow, secretary, notices.ScheduleRequest(
        cell, (now + 9 * day).replace(hour=1, minute=30, second=0, microsecond=0), "Phòng họp số 2", "thematic",
        ("Chuyên đề học tập và làm theo tư tưởng, đạo đức, phong cách Hồ Chí Minh",)), now, day)
    notices.cancel(uow, secretary, uuid.UUID(other.id), "Trùng lịch họp của Đảng ủy cấp trên", now)


async def test_a_member_reads_their_notices_newest_first_on_a_phone_and_marks_one_read(
        make_database_url, nats_url, make_settings):
    if MISSING:
        pytest.fail(f"{CHROMIUM} is missing under CI: install Debian's chromium (apt-get install -y chromium)")
    from playwright.async_api import async_playwright, expect
    SHOTS.mkdir(parents=True, exist_ok=True)
    app = create_app(make_settings(make_database_url("meetings"), nats_url=nats_url))
    async with serving(app) as base, async_playwright() as pw:
        engine = app.state.runtime.engine
        cell, members = seed(engine)
        three_notices(engine, cell, members["Nguyễn Văn An"])
        token = issue_token(app.state.settings.jwt_secret, username="an", role="member", org_id=cell,
                            name="Nguyễn Văn An")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 360, "height": 740}, locale="vi-VN",
                                            device_scale_factor=2, is_mobile=True, has_touch=True)
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
        page = await context.new_page()
        await page.goto(f"{base}/meetings/thong-bao")
        await expect(page.locator("h1")).to_have_text("Thông báo của tôi")
        cards = page.locator("li.notice-card")
        await expect(cards).to_have_count(4)
        titles = await page.locator(".notice-title").all_inner_texts()
        assert titles[0].startswith("Hủy sinh hoạt chuyên đề ngày")  # newest first
        assert titles[1].startswith("Thông báo sinh hoạt chuyên đề ngày")
        assert titles[2].startswith("Thay đổi lịch sinh hoạt thường kỳ ngày")
        assert titles[3].startswith("Thông báo sinh hoạt thường kỳ ngày")
        await expect(page.locator(".hint")).to_contain_text("4 thông báo chưa đọc")
        await expect(cards.nth(0)).to_contain_text("Lý do: Trùng lịch họp của Đảng ủy cấp trên")
        assert await page.evaluate("document.scrollingElement.scrollWidth") <= 360  # no sideways scrolling
        title_px = await page.locator(".notice-title").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        body_px = await page.locator(".notice-body p").first.evaluate("e => parseFloat(getComputedStyle(e).fontSize)")
        assert title_px >= 22 and body_px >= 20  # large type
        button = cards.nth(2).get_by_role("button", name="Đã đọc")
        box = await button.bounding_box()
        assert box["height"] >= 44 and box["width"] >= 260  # a thumb-sized target across the card
        await page.screenshot(path=str(SHOTS / "notices-1-unread.png"))
        await button.tap()
        await expect(page.locator(".hint")).to_contain_text("3 thông báo chưa đọc")
        await expect(cards.nth(2).locator(".read-mark")).to_have_text("✓ Đã đọc Read")
        await expect(cards.nth(0).get_by_role("button", name="Đã đọc")).to_be_visible()
        await page.screenshot(path=str(SHOTS / "notices-2-one-read.png"), full_page=True)
        await browser.close()
    with engine.connect() as conn:
        read = conn.execute(select(Notice.title).where(Notice.member_id == str(members["Nguyễn Văn An"]),
                                                       Notice.read_at.is_not(None))).scalars().all()
    assert len(read) == 1 and read[0].startswith("Thay đổi lịch")
