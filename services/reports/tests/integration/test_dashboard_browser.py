"""The dashboard in headless Chromium: it renders on a phone and updates live from the stream."""
import os
from datetime import date
from pathlib import Path

import pytest

from shared.auth import COOKIE_NAME
from shared.consumer import Envelope
from reports.bootstrap import create_app
from reports.subscribers import project_and_push

CHROMIUM = "/usr/bin/chromium"
MISSING = not os.path.exists(CHROMIUM)
pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING and not os.environ.get("CI"), reason=(
    f"!!! BROWSER TEST SKIPPED: {CHROMIUM} not found (apt-get install -y chromium); under CI this fails !!!"))]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]


def envelopes(events):
    return [Envelope(e, e.subject, None, 1, n) for n, e in enumerate(events, 1)]


async def test_the_dashboard_updates_live_when_a_meeting_is_rated(reports_settings, ev, serve, bearer, tmp_path):
    from playwright.async_api import async_playwright
    app = create_app(reports_settings)
    runtime, hub, today = app.state.runtime, app.state.hub, date.today()
    token = bearer("coquan", "committee")["Authorization"][7:]
    async with serve(app) as base, async_playwright() as pw:
        await project_and_push(runtime, hub, envelopes([*ev.tree(), ev.rated("m1", "phongtc", today, "tot")]))
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 390, "height": 844}, device_scale_factor=1)
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
        page = await context.new_page()
        await page.goto(f"{base}/reports/")
        await page.wait_for_function("document.getElementById('live').textContent === 'Cập nhật trực tiếp'")
        assert await page.text_content(".card [data-f=meetings_held]") == "1"
        await project_and_push(runtime, hub, envelopes([ev.rated("m2", "baotang", today, "kem")]))
        await page.wait_for_function("document.querySelector('.card [data-f=kem]').textContent === '1'")
        row = page.locator(f'tr[data-org="{ev.oid("baotang")}"] [data-f=kem]')
        assert await row.text_content() == "1"
        assert await page.text_content(".card [data-f=meetings_held]") == "2"
        shots = os.environ.get("CHIBO_DASHBOARD_SCREENSHOTS")  # a folder, to look at what users see
        await page.screenshot(path=str(Path(shots or tmp_path) / "dashboard-phone.png"), full_page=True)
        await browser.close()
