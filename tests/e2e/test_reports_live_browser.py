"""A meeting recorded through the meetings API shows on an open reports dashboard within a second:
three real services on a real nats-server, headless Chromium, no polling in the page."""
from __future__ import annotations

import os
import time
from datetime import date
from pathlib import Path

import pytest
from playwright.async_api import async_playwright

from shared.auth import COOKIE_NAME
from tests.e2e.stack import Stack, only_on, wait_for
from tests.e2e.test_first_slice import a_committee, login, record_meeting, set_up_cell

CHROMIUM = "/usr/bin/chromium"
pytestmark = [pytest.mark.browser, pytest.mark.skipif(not os.path.exists(CHROMIUM) and not os.environ.get("CI"), reason=(
    f"!!! BROWSER TEST SKIPPED: {CHROMIUM} not found (apt-get install -y chromium); under CI this fails !!!"))]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[2] / "var" / "screenshots"
CARD = "document.querySelector('.card [data-f=meetings_held]').textContent"


@only_on("sqlite")
async def test_a_meeting_recorded_through_the_api_shows_on_the_open_dashboard_within_a_second(stack: Stack, request):
    stack.start("members")
    stack.load_demo()
    stack.start("meetings", "reports")
    token = login(stack, "tinhuy")
    cell, members = set_up_cell(stack, token, a_committee(stack, token))
    today = date.today().isoformat()
    with stack.client("meetings", token) as c:
        wait_for(lambda: c.get(f"/meetings/api/cells/{cell}/roster", params={"on": today}).json(),
                 lambda v: len(v.get("members", [])) == 4, what="meetings roster from member events")
    with stack.client("reports", token) as c:  # the reports know the new cell before the page opens
        wait_for(lambda: c.get("/reports/api/figures", params={"org_id": cell}).status_code, lambda s: s == 200,
                 what="the new cell known to the reports")
    SHOTS.mkdir(parents=True, exist_ok=True)
    backend = request.node.callspec.params["stack"]
    base = stack.services["reports"].url
    async with async_playwright() as pw:
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        try:
            context = await browser.new_context(viewport={"width": 1280, "height": 900}, locale="vi-VN")
            await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
            page = await context.new_page()
            await page.goto(f"{base}/reports/")
            assert await page.locator("#org-name").text_content() == "Đảng bộ tỉnh Phú Thọ"
            await page.wait_for_function("document.getElementById('live').textContent === 'Cập nhật trực tiếp'")
            before = int((await page.evaluate(CARD)).replace(".", ""))
            record_meeting(stack, token, cell, members, today)
            answered = time.monotonic()
            await page.wait_for_function(f"{CARD}.replace(/\\./g, '') === '{before + 1}'", timeout=15000)
            elapsed = time.monotonic() - answered
            await page.screenshot(path=str(SHOTS / f"reports-live-e2e-{backend}.png"), full_page=True)
            assert elapsed < 1.0, f"the dashboard showed the meeting {elapsed:.3f}s after the API answered"
        finally:
            await browser.close()
