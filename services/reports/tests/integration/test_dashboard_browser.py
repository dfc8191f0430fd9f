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
    "alerts": {"removal_reviews": [{"member_name": "Lê Văn Tám", "org_name": "Chi bộ Văn phòng Sở",
                                    "reason": "unpaid_fees", "count": 3, "date": "2026-03-10"}],
               "absence_limits": [],
               "overdue_probations": [{"member_name": "Phạm Thị Hoa", "org_name": "Chi bộ Bảo tàng tỉnh",
                                       "reason": "overdue_probation", "count": 31, "date": "2026-03-05"}],
               "totals": {"removal_reviews": 1_045, "absence_limits": 0, "overdue_probations": 1}},
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
        assert ("Xem xét xóa tênLê Văn Tám — Chi bộ Văn phòng Sở — Không đóng đảng phí: 3 tháng trong năm"
                "Ngày: 10/03/2026") in alerts
        assert ("Dự bị quá hạnPhạm Thị Hoa — Chi bộ Bảo tàng tỉnh — Quá hạn xét chuyển chính thức: 31 ngày làm việc"
                "Hết 12 tháng dự bị: 05/03/2026") in alerts
        assert "… và 1.044 trường hợp xem xét xóa tên khác — xem đầy đủ trong báo cáo Excel/PDF." in alerts
        changes = await page.locator("#chart-changes").text_content()
        assert "Kết nạp" in changes and "Xóa tên" in changes
        assert "12.500.000" in await page.locator("#chart-fees").text_content()
        assert await page.evaluate("document.documentElement.scrollWidth") <= 360
        await page.screenshot(path=str(SHOTS / f"reports-dashboard-extras-360-{database_url.split(':')[0].split('+')[0]}.png"),
                              full_page=True)
        await browser.close()


async def test_an_alert_delivered_through_the_consumer_appears_on_an_open_dashboard_without_reload(
        reports_settings, ev, serve, bearer, database_url, nats_url):
    import nats
    from playwright.async_api import async_playwright
    from shared import clock
    from shared.events import AbsenceLimitReached, MemberAdmitted, MemberRegistered, RemovalReviewRaised, StatisticalProfile
    from shared.subjects import stream_for

    async def publish(*events):
        for event in events:
            await js.publish(event.subject, event.model_dump_json().encode(), stream=stream_for(event.subject).name,
                             headers={"Nats-Msg-Id": str(event.event_id)})

    app = create_app(reports_settings.model_copy(update={"start_consumers": True}))
    today, o = clock.today(), ev.oid
    token = bearer("coquan", "committee")["Authorization"][7:]
    backend = database_url.split(":")[0].split("+")[0]
    SHOTS.mkdir(parents=True, exist_ok=True)
    async with serve(app) as base, async_playwright() as pw:
        await asyncio.wait_for(app.state.runtime.nats_ready.wait(), 20)
        nc = await nats.connect(nats_url)
        js = nc.jetstream()
        await publish(*ev.tree(), MemberRegistered(
            member_id=o("tu"), organization_id=o("vanphong"), full_name="Lê Văn Tư", sex="male",
            date_of_birth=date(1980, 1, 1), status="official", effective_from=date(2020, 1, 1)))
        browser = await pw.chromium.launch(executable_path=CHROMIUM, headless=True, args=ARGS)
        context = await browser.new_context(viewport={"width": 360, "height": 800}, locale="vi-VN")
        await context.add_cookies([{"name": COOKIE_NAME, "value": token, "url": base}])
        page = await context.new_page()
        errors = []
        page.on("pageerror", lambda error: errors.append(str(error)))
        deadline = time.monotonic() + 20
        while True:  # the consumer projects the tree and the member: then the page shows them
            await page.goto(f"{base}/reports/")
            if await page.locator("#members-total").count() and await page.text_content("#members-total") == "1":
                break
            assert time.monotonic() < deadline, "the consumer did not project the tree and the member"
            await asyncio.sleep(0.1)
        await page.wait_for_function("document.getElementById('live').textContent === 'Cập nhật trực tiếp'")
        assert "Không có cảnh báo." in await page.text_content("#alerts")
        await page.evaluate("window.notReloaded = true")

        await publish(
            RemovalReviewRaised(member_id=o("tu"), organization_id=o("vanphong"), cause="unpaid_fees", year=today.year,
                                count=3, raised_on=today),
            AbsenceLimitReached(member_id=o("tu"), organization_id=o("vanphong"), rule="unexcused", year=today.year,
                                count=3, meeting_id=o("meeting-x")),
            MemberAdmitted(member_id=o("hoa"), organization_id=o("baotang"), full_name="Phạm Thị Hoa",
                           profile=StatisticalProfile(sex="female", date_of_birth=date(1998, 2, 1)),
                           decision_date=today, ceremony_date=today, effective_from=today))
        started = time.monotonic()
        await page.wait_for_function("document.getElementById('alerts').textContent.includes('Vắng sinh hoạt không lý do')"
                                     " && document.getElementById('alerts').textContent.includes('Không đóng đảng phí')",
                                     timeout=10_000)
        await page.wait_for_function("document.getElementById('members-total').textContent === '2'", timeout=10_000)
        elapsed = time.monotonic() - started
        alerts = await page.text_content("#alerts")
        assert "Xem xét xóa tênLê Văn Tư — Chi bộ Văn phòng Sở — Không đóng đảng phí: 3 tháng trong năm" in alerts
        assert "Vắng sinh hoạtLê Văn Tư — Chi bộ Văn phòng Sở — Vắng sinh hoạt không lý do: 3 lần trong năm" in alerts
        assert "Kết nạp" in await page.text_content("#chart-changes")  # the changes panel read again too
        assert await page.evaluate("window.notReloaded === true")  # the same page: no reload
        await page.locator("#alerts-panel").scroll_into_view_if_needed()
        await page.screenshot(path=str(SHOTS / f"reports-dashboard-alerts-live-360-{backend}.png"), full_page=True)
        assert errors == []
        print(f"alerts shown {elapsed:.2f} s after publishing")
        await browser.close()
        await nc.close()
