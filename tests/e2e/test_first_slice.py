"""The first slice end to end, through events only: members → meetings → reports.

Real processes on a real nats-server. Figures are computed by hand below.
"""
from __future__ import annotations

import json
import threading

import httpx

from tests.e2e.stack import Stack, only_on, wait_for

CORRELATION = "e2e-correlation-0001"


def login(stack: Stack, username: str) -> str:
    return login_as(stack, username)["access_token"]


def login_as(stack: Stack, username: str) -> dict:
    with stack.client("members") as c:
        r = c.post("/members/api/login", json={"username": username, "password": "chibo2026"})
        r.raise_for_status()
        return r.json()


def a_committee(stack: Stack, token: str) -> str:
    with stack.client("members", token) as c:
        return next(o["id"] for o in c.get("/members/api/organizations").json()["items"] if o["kind"] == "committee")


def collect_sse(stack: Stack, token: str, org_id: str, into: list, stop: threading.Event) -> threading.Thread:
    def run() -> None:
        try:
            read()
        except httpx.HTTPError:  # the stack stopping closes the stream: expected at teardown
            pass

    def read() -> None:
        with httpx.Client(base_url=stack.services["reports"].url, timeout=None) as c:
            with c.stream("GET", "/reports/api/stream", params={"org_id": org_id},
                          headers={"Authorization": f"Bearer {token}"}) as r:
                into.append({"status": r.status_code})
                event = None
                for line in r.iter_lines():
                    if stop.is_set():
                        return
                    if line.startswith("event:"):
                        event = line[6:].strip()
                    elif line.startswith("data:") and event == "figures":
                        into.append(json.loads(line[5:]))

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    return thread


def set_up_cell(stack: Stack, token: str, parent_id: str) -> tuple[str, list[str]]:
    """A new cell with four official members, through the members API."""
    with stack.client("members", token) as c:
        r = c.post("/members/api/organizations", json={
            "name": "Chi bộ Kiểm thử Đầu cuối", "kind": "grassroots_cell", "sector": "administrative",
            "parent_id": parent_id, "effective_from": "2026-01-01"})
        assert r.status_code == 201, r.text
        cell = r.json()["id"]
        names = ["Nguyễn Văn Ánh", "Trần Thị Bích", "Lê Hoàng Cường", "Phạm Thị Dung"]
        members = []
        for i, name in enumerate(names):
            r = c.post("/members/api/members", json={
                "full_name": name, "sex": "female" if "Thị" in name else "male", "date_of_birth": f"19{70 + i}-05-0{i + 1}",
                "status": "official", "organization_id": cell, "effective_from": "2026-01-01"})
            assert r.status_code == 201, r.text
            members.append(r.json()["id"])
    return cell, members


def a_new_cell_on_the_demo(stack: Stack, on: str = "2026-03-10") -> tuple[str, str, str, list[str]]:
    """The three services on the demo province, a new cell of four under a committee, known to meetings' roster
    on ``on``: (province staff token, committee id, cell id, member ids)."""
    stack.start("members")
    stack.load_demo()
    stack.start("meetings", "reports")
    token = login(stack, "tinhuy")
    committee = a_committee(stack, token)
    cell, members = set_up_cell(stack, token, committee)
    with stack.client("meetings", token) as c:
        wait_for(lambda: c.get(f"/meetings/api/cells/{cell}/roster", params={"on": on}).json(),
                 lambda v: len(v.get("members", [])) == 4, what="meetings roster from member events")
    return token, committee, cell, members


def figures(stack: Stack, token: str, org_id: str, period: str) -> dict:
    with stack.client("reports", token) as c:
        r = c.get("/reports/api/figures", params={"org_id": org_id, "period": period})
        assert r.status_code == 200, r.text
        return r.json()


def record_meeting(stack: Stack, token: str, cell: str, members: list[str], held_on: str, **kw) -> dict:
    attendance = [{"member_id": members[0], "status": "present", "spoke": True},
                  {"member_id": members[1], "status": "present", "spoke": True},
                  {"member_id": members[2], "status": "present", "spoke": False},
                  {"member_id": members[3], "status": "absent_excused", "absence_reason": "Ốm"}]
    checklist = {k: True for k in ("prep.content_prepared", "prep.committee_met", "prep.notice_sent",
                                   "conduct.correct_order", "conduct.criticism", "closing.resolution_adopted",
                                   "closing.minutes_approved")}
    body = {"organization_id": cell, "held_on": held_on, "kind": "regular", "duration_minutes": 120,
            "attendance": attendance, "checklist": checklist, **kw}
    with stack.client("meetings", token, **{"X-Correlation-ID": CORRELATION}) as c:
        r = c.post("/meetings/api/meetings", json=body)
        assert r.status_code == 201, r.text
        return r.json()


def test_a_recorded_meeting_is_rated_and_rolls_up_to_every_ancestor_live(stack: Stack):
    stack.start("members")
    demo = stack.load_demo()
    stack.start("meetings", "reports")
    province = demo["province_id"]
    token = login(stack, "tinhuy")
    committee = a_committee(stack, token)
    cell, members = set_up_cell(stack, token, committee)
    with stack.client("meetings", token) as c:
        wait_for(lambda: c.get(f"/meetings/api/cells/{cell}/roster", params={"on": "2026-03-10"}).json(),
                 lambda v: len(v.get("members", [])) == 4, what="meetings roster from member events")
    sse: list = []
    stop = threading.Event()
    collect_sse(stack, token, province, sse, stop)
    wait_for(lambda: sse, lambda v: v and v[0].get("status") == 200, what="SSE stream open")

    meeting = record_meeting(stack, token, cell, members, "2026-03-10")  # rated asynchronously, after the response

    with stack.client("meetings", token) as c:
        rated = wait_for(lambda: c.get(f"/meetings/api/meetings/{meeting['id']}").json(),
                         lambda v: v.get("rating") is not None, what="asynchronous rating")
    level = rated["rating"]["level"]
    expected = {"meetings_held": 1, "present": 3, "expected": 4}
    for org in (cell, committee, province):
        for period in ("2026-03", "2026-Q1", "2026"):
            f = wait_for(lambda: figures(stack, token, org, period), lambda v: v["levels"][level] == 1,
                         what=f"figures of {org} for {period}")
            assert f["meetings_held"] == expected["meetings_held"]
            assert f["levels"] == {**{k: 0 for k in ("tot", "kha", "trung_binh", "kem", "unrated")}, level: 1}
            assert (f["attendance"]["present"], f["attendance"]["expected"]) == (3, 4)
            assert f["attendance"]["rate"] == 75.0
    month = wait_for(lambda: [m for m in sse[1:] if m["org_id"] == province and m["period"] == "2026-03"],
                     lambda v: any(m["levels"][level] == 1 for m in v), what="SSE figures message")
    pushed = [m for m in month if m["levels"][level] == 1][-1]
    assert pushed["meetings_held"] == 1
    assert (pushed["attendance"]["present"], pushed["attendance"]["expected"]) == (3, 4)
    stop.set()

    # the request's correlation id travelled through NATS into every service that handled it
    for name in ("meetings", "reports"):
        lines = [ln for ln in stack.log_lines(name) if CORRELATION in json.dumps(ln, ensure_ascii=False)]
        assert lines, f"{name} logged nothing with the request's correlation id"


def test_reports_down_while_events_flow_catches_up_to_the_same_figures(stack: Stack):
    stack.start("members")
    demo = stack.load_demo()
    stack.start("meetings", "reports")
    token = login(stack, "tinhuy")
    province = demo["province_id"]
    cell, members = set_up_cell(stack, token, a_committee(stack, token))
    with stack.client("meetings", token) as c:
        wait_for(lambda: c.get(f"/meetings/api/cells/{cell}/roster", params={"on": "2026-02-10"}).json(),
                 lambda v: len(v.get("members", [])) == 4, what="roster")
    record_meeting(stack, token, cell, members, "2026-01-12")
    wait_for(lambda: figures(stack, token, cell, "2026"), lambda v: v["meetings_held"] == 1 and v["levels"]["unrated"] == 0,
             what="first meeting counted")

    stack.stop("reports", kill=True)  # killed, not drained
    for held_on in ("2026-02-10", "2026-03-10"):
        record_meeting(stack, token, cell, members, held_on)
    with stack.client("meetings", token) as c:
        wait_for(lambda: c.get("/meetings/api/meetings", params={"organization_id": cell}).json(),
                 lambda v: len(v) == 3 and all(m.get("rating") for m in v), what="all three rated")
    stack.start("reports")

    year = wait_for(lambda: figures(stack, token, province, "2026"),
                    lambda v: v["meetings_held"] == 3 and v["levels"]["unrated"] == 0, what="caught up")
    assert (year["attendance"]["present"], year["attendance"]["expected"]) == (9, 12)
    assert sum(year["levels"].values()) == 3
    for month in ("2026-01", "2026-02", "2026-03"):
        assert figures(stack, token, cell, month)["meetings_held"] == 1


@only_on("sqlite")
def test_a_cell_secretary_cannot_read_another_cells_figures_or_stream(stack: Stack):
    stack.start("members")
    demo = stack.load_demo()
    stack.start("reports")
    secretary = login_as(stack, "bithu")
    token = secretary["access_token"]
    other = next(c["id"] for c in demo["cells"] if c["id"] != secretary["org_id"])
    with stack.client("reports", token) as c:
        for org in (secretary["org_id"], other):  # until reports has learnt both from the events, it answers 422
            wait_for(lambda: c.get("/reports/api/figures", params={"org_id": org, "period": "2026"}).status_code,
                     lambda s: s != 422, what="tree known to reports")
        assert c.get("/reports/api/figures", params={"org_id": other, "period": "2026"}).status_code == 403
        with c.stream("GET", "/reports/api/stream", params={"org_id": other}) as r:
            assert r.status_code == 403
        assert c.get("/reports/api/figures", params={"org_id": demo["province_id"], "period": "2026"}).status_code == 403
        own = c.get("/reports/api/figures", params={"org_id": secretary["org_id"], "period": "2026"})
        assert own.status_code == 200, own.text
