"""Member lifecycle commands in members reach the reports' member figures and the meetings roster through events."""
from __future__ import annotations

from tests.e2e.stack import Stack, only_on, wait_for
from tests.e2e.test_first_slice import a_new_cell_on_the_demo


def member_figures(stack: Stack, token: str, org: str, period: str) -> dict:
    with stack.client("reports", token) as c:
        r = c.get("/reports/api/figures", params={"org_id": org, "period": period})
        assert r.status_code == 200, r.text
        return r.json()


@only_on("postgresql")
def test_an_admission_an_exemption_and_a_death_show_in_the_reports_and_the_roster(stack: Stack):
    token, committee, cell, members = a_new_cell_on_the_demo(stack)
    with stack.client("members", token) as c:
        r = c.post("/members/api/admissions", json={
            "full_name": "Đinh Thị Quỳnh", "sex": "female", "date_of_birth": "2000-07-19", "organization_id": cell,
            "considered_on": "2026-02-02", "decision_date": "2026-02-09", "ceremony_date": "2026-02-16",
            "ethnicity": "Mường", "religion": "Không"})
        assert r.status_code == 201, r.text
        admitted = r.json()["member"]["id"]
        r = c.post(f"/members/api/members/{members[1]}/exemption",
                   json={"effective_from": "2026-02-10", "reason": "Tuổi cao, sức yếu"})
        assert r.status_code == 200, r.text
        r = c.post(f"/members/api/members/{members[2]}/end",
                   json={"reason": "deceased", "effective_from": "2026-02-20"})
        assert r.status_code == 200, r.text

    month = wait_for(lambda: member_figures(stack, token, cell, "2026-02"),
                     lambda v: v["changes"]["deceased"] == 1 and v["changes"]["admitted"] == 1,
                     what="the month's changes in the reports")
    assert month["changes"]["exempted"] == 1
    assert month["members"]["status"].get("probationary") == 1
    assert month["members"]["total"] == 4  # four founding members, one died, one admitted
    assert month["members"]["ethnicity"].get("Mường") == 1
    up = member_figures(stack, token, committee, "2026-Q1")
    assert up["changes"]["admitted"] >= 1 and up["changes"]["deceased"] >= 1

    with stack.client("meetings", token) as c:
        roster = wait_for(lambda: c.get(f"/meetings/api/cells/{cell}/roster", params={"on": "2026-02-25"}).json(),
                          lambda v: len(v.get("members", [])) == 4, what="the roster after the changes")
    on_roll = {m["member_id"]: m for m in roster["members"]}
    assert admitted in on_roll and members[2] not in on_roll
    assert on_roll[members[1]]["standing"] == "exempt"
