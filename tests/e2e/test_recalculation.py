"""Ratings recalculate themselves, end to end through the three services on a real nats-server.

Each trigger of issue 4 (a meeting amended, an exemption back-dated before the meeting, a new rubric version
for a past period) re-rates the meeting in meetings and changes the reports' figures through the same events,
with no call between services. At the end the consistency check finds the projection equal to the sources.
"""
from __future__ import annotations

from tests.e2e.stack import Stack, only_on, wait_for
from tests.e2e.test_consistency import run_check
from tests.e2e.test_first_slice import a_new_cell_on_the_demo, figures, record_meeting

HELD_ON = "2026-03-10"
CHECKLIST_WITHOUT_MINUTES = {k: True for k in (
    "prep.content_prepared", "prep.committee_met", "prep.notice_sent", "conduct.correct_order",
    "conduct.criticism", "closing.resolution_adopted")}  # minutes not approved: a score below 100


def attendance_in_reports(stack: Stack, token: str, cell: str, present: int, expected: int) -> dict:
    return wait_for(lambda: figures(stack, token, cell, "2026-03"),
                    lambda v: (v["attendance"]["present"], v["attendance"]["expected"]) == (present, expected)
                    and v["levels"]["unrated"] == 0,
                    what=f"reports attendance {present}/{expected}")


def ratings_of(stack: Stack, token: str, meeting_id: str) -> list[dict]:
    with stack.client("meetings", token) as c:
        r = c.get(f"/meetings/api/meetings/{meeting_id}/ratings")
        assert r.status_code == 200, r.text
        return r.json()["history"]


@only_on("postgresql")
def test_amendment_backdated_exemption_and_new_rubric_each_rerate_and_change_the_reports(stack: Stack):
    token, committee, cell, members = a_new_cell_on_the_demo(stack, HELD_ON)

    # recorded: three present, the fourth absent with a reason
    meeting = record_meeting(stack, token, cell, members, HELD_ON, checklist=CHECKLIST_WITHOUT_MINUTES)
    first = attendance_in_reports(stack, token, cell, 3, 4)
    assert first["attendance"]["rate"] == 75.0

    # 1. amended: the fourth member was there after all
    body = {"organization_id": cell, "held_on": HELD_ON, "kind": "regular", "duration_minutes": 120,
            "checklist": CHECKLIST_WITHOUT_MINUTES,
            "attendance": [{"member_id": m, "status": "present", "spoke": i < 2} for i, m in enumerate(members)]}
    with stack.client("meetings", token) as c:
        r = c.put(f"/meetings/api/meetings/{meeting['id']}", json=body)
        assert r.status_code == 200, r.text
    amended = attendance_in_reports(stack, token, cell, 4, 4)
    assert amended["attendance"]["rate"] == 100.0
    assert [h["cause"] for h in ratings_of(stack, token, meeting["id"])][-1] == "amended"

    # 2. the fourth member's exemption, decided later, runs from before the meeting: out of the denominator
    with stack.client("members", token) as c:
        r = c.post(f"/members/api/members/{members[3]}/exemption",
                   json={"effective_from": "2026-03-01", "reason": "Sức khỏe yếu"})
        assert r.status_code == 200, r.text
    exempted = attendance_in_reports(stack, token, cell, 3, 3)
    assert exempted["levels"]["kem"] == 0  # under the rubric in force when it was held
    history = ratings_of(stack, token, meeting["id"])
    assert (history[-1]["present"], history[-1]["expected"]) == (3, 3)
    assert len(history) == 3  # recorded, amended, re-rated after the roster change; the old ones kept

    # 3. a stricter version of the rubric for the past period: the same meeting is re-rated Kém
    with stack.client("meetings", token) as c:
        current = next(r for r in c.get("/meetings/api/rubrics").json() if r["code"] == "phu-tho-100")
        definition = {**current["definition"], "bands": [
            {"level": "tot", "min": 100, "max": None, "label_vi": "Tốt", "label_en": "Good"},
            {"level": "kha", "min": 99.9, "max": 100, "label_vi": "Khá", "label_en": "Fair"},
            {"level": "trung_binh", "min": 99.8, "max": 99.9, "label_vi": "Trung bình", "label_en": "Average"},
            {"level": "kem", "min": 0, "max": 99.8, "label_vi": "Kém", "label_en": "Poor"}]}
        r = c.post("/meetings/api/rubrics", json={"code": "phu-tho-100", "definition": definition,
                                                  "effective_from": "2026-01-01", "scope_org_id": None})
        assert r.status_code == 201, r.text
        new_version = r.json()["version"]
    stricter = wait_for(lambda: figures(stack, token, cell, "2026-03"), lambda v: v["levels"]["kem"] == 1,
                        what="the meeting re-rated Kém in the reports")
    assert sum(stricter["levels"].values()) == 1
    assert ratings_of(stack, token, meeting["id"])[-1]["rubric_version"] == new_version
    wait_for(lambda: figures(stack, token, committee, "2026-Q1"), lambda v: v["levels"]["kem"] >= 1,
             what="the re-rating rolled up to the committee")

    check = run_check(stack, committee)
    assert check.returncode == 0, check.stdout + check.stderr
    assert "Không có khác biệt" in check.stdout
