"""The rubrics page in headless Chromium: a committee member sees every version, makes a new one from the
Phú Thọ rubric, is told in Vietnamese when the points no longer add up, and issues it once they do."""
from __future__ import annotations

import os
import uuid
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlmodel import Session

from shared.auth import COOKIE_NAME, issue_token

from meetings import orgs
from meetings.bootstrap import create_app
from meetings.models import Rubric

from .test_form_browser import ARGS, CHROMIUM, MISSING, seed, serving

SHOTS = Path(os.environ.get("CHIBO_FORM_SCREENSHOTS", "/tmp"))
pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING and not os.environ.get("CI"), reason=(
    f"!!! BROWSER TEST SKIPPED: {CHROMIUM} not found (apt-get install -y chromium); under CI this fails !!!"))]


async def test_a_committee_member_makes_a_new_rubric_version_from_an_existing_one(
        make_database_url, nats_url, make_settings):
    if MISSING:
        pytest.fail(f"{CHROMIUM} is missing under CI: install Debian's chromium (apt-get install -y chromium)")
    from playwright.async_api import async_playwright, expect
    app = create_app(make_settings(make_database_url("meetings"), nats_url=nats_url))
    async with serving(app) as base, async_playwright() as pw:
        engine = app.state.runtime.engine
        cell, _ = seed(engine)
        with Session(engine) as session:
            committee = uuid.UUID(orgs.parent_on(session, str(cell), date(2026, 1, 1)))
        token = issue_token(app.state.settings.jwt_secret, username="uyvien", role="committee", org_id=committee,
                            name="Trần Văn Ủy")
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 1024, "height": 900}, locale="vi-VN")
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
        page = await context.new_page()
        await page.goto(f"{base}/meetings/thang-diem")
        await expect(page.locator("h1")).to_have_text("Các thang điểm")
        await expect(page.locator("section.rubric")).to_have_count(2)
        await page.screenshot(path=str(SHOTS / "rubrics-1-list.png"), full_page=True)
        await page.locator('section[data-code="phu-tho-100"] a').click()
        await expect(page.locator("h1")).to_contain_text("Tạo phiên bản mới")
        await page.fill('input[name="code"]', "khoi-cac-co-quan-dang")
        await page.fill('input[name="effective_from"]', "2026-01-01")
        await page.fill('[data-item="0.0"]', "6")  # preparation now sums to 16 of 15
        await expect(page.locator('[data-group-sum="0"]')).to_have_text("16")
        await page.click("button[type=submit]")
        await expect(page.locator("#result")).to_contain_text("Tổng điểm các tiêu chí của nhóm preparation là 16")
        await page.screenshot(path=str(SHOTS / "rubrics-2-refused.png"), full_page=True)
        await page.fill('[data-item="0.1"]', "4")
        await page.fill('[data-band-min="tot"]', "85")
        await page.fill('[data-band-max="kha"]', "85")
        await page.click("button[type=submit]")
        await expect(page.locator("#result")).to_contain_text("Đã ban hành khoi-cac-co-quan-dang phiên bản 1")
        await page.screenshot(path=str(SHOTS / "rubrics-3-issued.png"), full_page=True)
        await browser.close()
    with engine.connect() as conn:
        stored = conn.execute(select(Rubric).where(Rubric.code == "khoi-cac-co-quan-dang")).one()
    assert stored.scope_org_id == str(committee) and stored.created_by == "uyvien"
    assert [i["points"] for i in stored.definition["groups"][0]["items"]] == [6, 4, 5]
    assert {b["level"]: b["min"] for b in stored.definition["bands"]}["tot"] == 85
