"""The dashboard in headless Chromium: it renders on a phone (360 px) and a desktop (1280 px), and its
figures, charts and cells to watch update live from the stream."""
import asyncio
import os
import time
from datetime import date
from pathlib import Path

import pytest

from shared.auth import COOKIE_NAME
from shared.consumer import Envelope
from reports.bootstrap import create_app
from reports.dashboard import previous_month
from reports.subscribers import project_and_push

CHROMIUM = "/usr/bin/chromium"
MISSING = not os.path.exists(CHROMIUM)
pytestmark = [pytest.mark.browser, pytest.mark.skipif(MISSING and not os.environ.get("CI"), reason=(
    f"!!! BROWSER TEST SKIPPED: {CHROMIUM} not found (apt-get install -y chromium); under CI this fails !!!"))]
ARGS = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update",
        "--disable-sync", "--no-first-run"]
SHOTS = Path(__file__).resolve().parents[4] / "var" / "screenshots"


def envelopes(events):
    return [Envelope(e, e.subject, None, 1, n) for n, e in enumerate(events, 1)]


def month_day(month: str) -> date:
    return date(int(month[:4]), int(month[5:]), 5)


async def test_the_dashboard_updates_live_when_a_meeting_is_rated(reports_settings, ev, serve, bearer, database_url):
    from playwright.async_api import async_playwright
    app = create_app(reports_settings)
    runtime, hub, today = app.state.runtime, app.state.hub, date.today()
    last_month = month_day(previous_month(f"{today.year}-{today.month:02d}"))
    token = bearer("coquan", "committee")["Authorization"][7:]
    SHOTS.mkdir(parents=True, exist_ok=True)
    backend = database_url.split(":")[0].split("+")[0]
    async with serve(app) as base, async_playwright() as pw:
        await project_and_push(runtime, hub, envelopes([
            *ev.tree(), ev.rated("m1", "phongtc", today, "tot"), ev.rated("m0", "baotang", last_month, "tot"),
            ev.rated("m9", "vanphong", last_month, "kha")]))
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 360, "height": 800}, device_scale_factor=1, locale="vi-VN")
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        await page.goto(f"{base}/reports/")
        await page.wait_for_function("document.getElementById('live').textContent === 'Cập nhật trực tiếp'")
        assert await page.text_content(".card [data-f=meetings_held]") == "1"
        watch = page.locator("#watch")
        assert "Chi bộ Bảo tàng tỉnh" in await watch.text_content()  # no meeting yet this month
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360  # nothing overflows the phone
        await page.screenshot(path=str(SHOTS / f"reports-dashboard-360-{backend}.png"), full_page=True)

        # Bảo tàng now meets and is rated Kém (Tốt last month): it leaves "no meeting" and joins "rating fell".
        await project_and_push(runtime, hub, envelopes([ev.rated("m2", "baotang", today, "kem")]))
        await page.wait_for_function("document.querySelector('.card [data-f=kem]').textContent === '1'")
        row = page.locator(f'tr[data-org="{ev.oid("baotang")}"] [data-f=kem]')
        assert await row.text_content() == "1"
        assert await page.text_content(".card [data-f=meetings_held]") == "2"
        await page.wait_for_function("document.querySelector('#watch').textContent.includes('Xếp loại giảm')")
        assert "Tháng trước: Tốt → tháng này: Kém" in await watch.text_content()
        columns = await page.locator("#chart-levels rect").count()
        assert columns >= 3  # last month: Tốt + Khá; this month: Tốt + Kém (stacked)

        await page.set_viewport_size({"width": 1280, "height": 900})
        await page.wait_for_timeout(100)  # let the layout settle before the screenshot
        assert await page.evaluate("document.documentElement.scrollWidth") <= 1280
        await page.screenshot(path=str(SHOTS / f"reports-dashboard-1280-{backend}.png"), full_page=True)
        assert errors == []
        await browser.close()
        deadline = time.monotonic() + 5
        while len(hub):  # the closed browser's stream left no subscriber behind
            assert time.monotonic() < deadline, f"{len(hub)} subscriber(s) left after the browser closed"
            await asyncio.sleep(0.02)


EXTRA = {  # figure groups the figures API may carry (another part of the service adds them): read as they come
    "changes": {"admitted": 4, "made_official": 3, "transferred_in": 2, "transferred_out": 1, "names_removed": 1},
    "fees": {"due": 12_500_000, "collected": 11_000_000, "unpaid_members": 3},
    "removal_reviews": [{"member_name": "Lê Văn Tám", "org_name": "Chi bộ Văn phòng Sở",
                         "reason": "Vắng sinh hoạt 3 tháng không lý do"}],
    "overdue_probations": [{"member_name": "Phạm Thị Hoa", "org_name": "Chi bộ Bảo tàng tỉnh"}],
}


async def test_alerts_lifecycle_changes_and_fees_are_shown_when_the_figures_carry_them(
        reports_settings, ev, serve, bearer, database_url, monkeypatch):
    from playwright.async_api import async_playwright
    from reports import report, web
    original = report.full_figures
    monkeypatch.setattr(web.report, "full_figures", lambda *args, **kw: {**original(*args, **kw), **EXTRA})
    app = create_app(reports_settings)
    token = bearer("coquan", "committee")["Authorization"][7:]
    async with serve(app) as base, async_playwright() as pw:
        await project_and_push(app.state.runtime, app.state.hub, envelopes(ev.tree()))
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
        page = await context.new_page()
        await page.goto(f"{base}/reports/")
        alerts = await page.locator("#alerts").text_content()
        assert "Xem xét xóa tênLê Văn Tám — Chi bộ Văn phòng Sở — Vắng sinh hoạt 3 tháng không lý do" in alerts
        assert "Dự bị quá hạnPhạm Thị Hoa — Chi bộ Bảo tàng tỉnh" in alerts
        changes = await page.locator("#chart-changes").text_content()
        assert "Kết nạp" in changes and "Xóa tên" in changes
        assert "12.500.000" in await page.locator("#chart-fees").text_content()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await page.screenshot(path=str(SHOTS / f"reports-dashboard-extras-360-{database_url.split(':')[0].split('+')[0]}.png"),
                              full_page=True)
        await browser.close()
