"""First-run demo data for ``make run``: the demo province (members' CLI, through
its outbox), then a few months of monthly meetings per demo cell, recorded
through the gateway like a secretary would, with varied attendance, length
and checklists so the ratings (computed by meetings) differ."""
from __future__ import annotations

import json
import random
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from datetime import date, timedelta
from pathlib import Path

import httpx

from deploy.local.children import child_env, child_popen_kwargs, wait_until

DEMO_USER, DEMO_PASSWORD = "tinhuy", "chibo2026"
DEMO_LOGINS = (("tinhuy", "Cán bộ Tỉnh ủy / provincial committee"), ("dangbo", "Cán bộ Đảng ủy / a committee"),
               ("bithu", "Bí thư chi bộ / a cell secretary"))
CELL_KINDS = ("grassroots_cell", "subordinate_cell")
DEMO_START = date(2026, 1, 1)  # the demo province's organizations exist from this day (members/demo.py DEMO_FROM)
SKIP_CHANCE = 0.2  # a weak cell now and then misses a month, so the dashboards have missed meetings to show
# Checklist boxes of the default rubric, used if GET /meetings/api/rubrics lists none.
FALLBACK_CHECKLIST = ("prep.content_prepared", "prep.committee_met", "prep.notice_sent", "conduct.on_time",
                      "conduct.correct_order", "conduct.full_content", "conduct.criticism",
                      "closing.resolution_adopted", "closing.minutes_approved")
NEW_NAMES = ("Nguyễn Thị Thu Trang", "Hà Văn Quyết", "Đinh Thị Mai Anh", "Lường Văn Thắng", "Triệu Thị Hồng Nhung",
             "Kiều Văn Đức")
EXCUSES = ("Đi công tác", "Ốm, có giấy của cơ sở y tế", "Việc gia đình đột xuất", "Tập huấn chuyên môn")


def load_province(members_env: dict[str, str], log_file: Path) -> None:
    """Run ``python -m members.cli load-demo --json`` (idempotent) against members' database."""
    with open(log_file, "ab") as log:
        done = subprocess.run([sys.executable, "-m", "members.cli", "load-demo", "--json"], env=child_env(members_env),
                              stdout=log, stderr=subprocess.STDOUT, timeout=300, **child_popen_kwargs())
    if done.returncode != 0:
        raise RuntimeError(f"members.cli load-demo failed with code {done.returncode}; see {log_file}")


def record_meetings(gateway_url: str, today: date, timeout: float = 90.0) -> int:
    """Wait until meetings knows every demo cell's roster, then record the meetings; returns how many."""
    with httpx.Client(base_url=gateway_url, timeout=30.0, trust_env=False) as http:
        http.headers["Authorization"] = "Bearer " + login(http, DEMO_USER, DEMO_PASSWORD)
        cells = [o for o in _items(_get(http, "/members/api/organizations"))
                 if o["kind"] in CELL_KINDS and o.get("member_count", 0) > 0]
        for cell in cells:
            wait_until(lambda: len(roster(http, cell["id"], today)) >= cell["member_count"], timeout,
                       f"the meetings roster of {cell['name']}", interval=0.25)
        boxes = checklist_keys(_get(http, "/meetings/api/rubrics")) or FALLBACK_CHECKLIST
        with ThreadPoolExecutor(max_workers=PARALLEL_CELLS, thread_name_prefix="demo") as pool:
            recorded = sum(pool.map(lambda cell: _record_cell(http, cell, boxes, today), cells))
            close_periods(http, today)

            def fees_and_changes(index: int, cell: dict) -> None:
                members = roster(http, cell["id"], today)
                _record_fees(http, cell, members, today)
                _membership_activity(http, cell, members, index, today)
            list(pool.map(fees_and_changes, range(len(cells)), cells))  # list(): re-raises a cell's failure
        return recorded


# Cells recorded at the same time (each cell's months in order; the cells are independent, each with its own seeded
# random draws, so the demo is the same): the services wait on commits and NATS more than on the CPU, so the
# first `make run` (and its browser test) loads the demo in about half the time.
PARALLEL_CELLS = 4


def _months(today: date, start: date = DEMO_START) -> list[date]:
    """The first day of every month from the demo's start to the one before this one."""
    count = (today.year - start.year) * 12 + today.month - start.month
    return [date(start.year + (start.month - 1 + i) // 12, (start.month - 1 + i) % 12 + 1, 1) for i in range(count)]


def _record_fees(http: httpx.Client, cell: dict, members: list[dict], today: date) -> None:
    """Each member's fee basis (an insured salary, or a pension for the older ones), then a collection sheet per
    month; one member of a weaker cell stops paying in the autumn, so a removal review shows on the dashboards."""
    rng = random.Random("fees" + cell["id"])
    for member in members:
        body = {"valid_from": DEMO_START.isoformat(), "insured_salary_vnd": rng.choice((5_310_000, 6_800_000, 8_450_000,
                                                                             11_200_000, 14_900_000))}
        if rng.random() < 0.2:
            body = {"valid_from": DEMO_START.isoformat(), "pension_vnd": rng.choice((4_200_000, 6_100_000, 7_900_000))}
        _ok(http.put(f"/members/api/fees/basis/{member['member_id']}", json=body), "a fee basis")
    late = members[-1]["member_id"] if members and rng.random() < 0.5 else None
    for month in _months(today)[1:]:  # a month's fee is 1 % of the salary of the month before: from February
        dues = _ok(http.get("/members/api/fees/dues", params={"organization_id": cell["id"],
                                                              "month": month.isoformat()}), "the dues").json()
        payments = [{"member_id": line["member_id"],
                     "paid_vnd": 0 if line["member_id"] == late and month.month >= 8 else line["due_vnd"]}
                    for line in dues["items"]]
        _ok(http.post("/members/api/fees/sheets", json={"organization_id": cell["id"], "month": month.isoformat(),
                                                         "payments": payments}), "a fee sheet")


def _membership_activity(http: httpx.Client, cell: dict, members: list[dict], index: int, today: date) -> None:
    """A little of the year's lifecycle, so the changes panels are not empty: an admission in some cells, an
    exemption in others."""
    rng = random.Random("life" + cell["id"])
    month = max(1, today.month - 1 - index % 3)
    if index % 2 == 0:
        ceremony = date(today.year, month, 10 + index % 10)
        _ok(http.post("/members/api/admissions", json={
            "full_name": rng.choice(NEW_NAMES), "sex": rng.choice(("male", "female")),
            "date_of_birth": date(1994 + index % 8, 1 + index % 12, 5 + index % 20).isoformat(),
            "organization_id": cell["id"], "considered_on": (ceremony - timedelta(days=20)).isoformat(),
            "decision_date": (ceremony - timedelta(days=7)).isoformat(), "ceremony_date": ceremony.isoformat(),
            "ethnicity": rng.choice(("Kinh", "Kinh", "Mường", "Dao")), "religion": "Không"}), "an admission")
    elif members:
        elder = members[rng.randrange(len(members))]["member_id"]
        _ok(http.post(f"/members/api/members/{elder}/exemption", json={
            "effective_from": date(today.year, month, 1).isoformat(), "reason": "Tuổi cao, sức khỏe yếu"}),
            "an exemption")


def _ok(response: httpx.Response, what: str) -> httpx.Response:
    if response.status_code >= 400:
        raise RuntimeError(f"demo: {what} failed: {response.status_code} {response.text[:300]}")
    return response


def close_periods(http: httpx.Client, today: date) -> None:
    """Close the required-meeting periods that ended before today now, rather than at the sweep's next round."""
    response = http.post("/meetings/api/obligations/close", json={"until": (today - timedelta(days=1)).isoformat()})
    if response.status_code >= 400:
        raise RuntimeError(f"closing the obligation periods failed: {response.status_code} {response.text[:300]}")


def login(http: httpx.Client, username: str, password: str) -> str:
    response = http.post("/members/api/login", json={"username": username, "password": password})
    response.raise_for_status()
    return response.json()["access_token"]


def roster(http: httpx.Client, cell_id: str, on: date) -> list[dict]:
    response = http.get(f"/meetings/api/cells/{cell_id}/roster", params={"on": on.isoformat()})
    return response.json().get("members", []) if response.status_code == 200 else []


def checklist_keys(rubrics) -> tuple[str, ...]:
    """Every checklist box (rule ``{"type": "check", "key": ...}``) found anywhere in the rubrics document."""
    found: dict[str, None] = {}

    def walk(node) -> None:
        if isinstance(node, dict):
            if node.get("type") == "check" and isinstance(node.get("key"), str):
                found[node["key"]] = None
            for value in node.values():
                walk(value)
        elif isinstance(node, list):
            for value in node:
                walk(value)

    walk(rubrics)
    return tuple(found)


def meeting_dates(cell_index: int, today: date, start: date = DEMO_START) -> list[date]:
    """One date per month from the demo's first month to this one, none in the future."""
    dates = []
    months = (today.year - start.year) * 12 + today.month - start.month + 1
    for back in range(months - 1, -1, -1):
        year, month = divmod(today.year * 12 + today.month - 1 - back, 12)
        held_on = date(year, month + 1, 3 + cell_index % 20)
        if held_on <= today:
            dates.append(held_on)
    return dates


def meeting_payload(cell_id: str, held_on: date, members: list[dict], boxes, rng: random.Random,
                    quality: float) -> dict:
    """A plausible meeting: a better cell (``quality`` near 1) attends, speaks and prepares more."""
    combined = held_on.month % 3 == 0 and quality > 0.4
    attendance = [_attendance(m["member_id"], rng, quality) for m in members]
    duration = rng.choice((120, 135, 150) if combined else (60, 75, 90, 95, 105, 120))
    checklist = {key: rng.random() < 0.45 + 0.55 * quality for key in boxes}
    return {"organization_id": cell_id, "held_on": held_on.isoformat(), "kind": "combined" if combined else "regular",
            "duration_minutes": duration, "attendance": attendance, "checklist": checklist}


def _attendance(member_id: str, rng: random.Random, quality: float) -> dict:
    draw = rng.random()
    if draw < 0.72 + 0.26 * quality:
        return {"member_id": member_id, "status": "present", "spoke": rng.random() < 0.15 + 0.6 * quality,
                "absence_reason": None}
    if draw < 0.985 - 0.1 * (1 - quality):
        return {"member_id": member_id, "status": "absent_excused", "spoke": False,
                "absence_reason": rng.choice(EXCUSES)}
    return {"member_id": member_id, "status": "absent_unexcused", "spoke": False, "absence_reason": None}


def _record_cell(http: httpx.Client, cell: dict, boxes, today: date) -> int:
    rng = random.Random(cell["id"])  # the same demo every time
    quality = 0.35 + 0.65 * rng.random()  # most cells do well, a few do not (as in the provincial reports)
    dates = meeting_dates(int(cell["id"][:8], 16), today)
    listed = http.get("/meetings/api/meetings", params={"organization_id": cell["id"]})
    already = {m.get("held_on") for m in _items(listed.json())} if listed.status_code == 200 else set()
    recorded = 0
    for held_on in dates:
        if quality < 0.5 and rng.random() < SKIP_CHANCE:
            continue  # this month's meeting did not take place
        members = roster(http, cell["id"], held_on)
        if not members or held_on.isoformat() in already:
            continue
        response = http.post("/meetings/api/meetings", json=meeting_payload(cell["id"], held_on, members, boxes, rng,
                                                                              quality))
        if response.status_code >= 400:
            raise RuntimeError(f"recording a meeting of {cell['name']} on {held_on} failed: "
                               f"{response.status_code} {response.text[:300]}")
        recorded += 1
    return recorded


def _get(http: httpx.Client, path: str):
    response = http.get(path)
    response.raise_for_status()
    return response.json()


def _items(payload) -> list[dict]:
    return payload.get("items", []) if isinstance(payload, dict) else list(payload)


def write_marker(path: Path, meetings: int) -> None:
    path.write_text(json.dumps({"loaded_on": date.today().isoformat(), "meetings": meetings}) + "\n")
