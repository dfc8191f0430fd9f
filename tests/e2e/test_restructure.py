"""The 2025 restructure end to end: members dissolves a bloc committee and moves its cells to two new committees
on one date; reports keeps the months before under the old bloc and the months after under the new committees,
and can roll the whole range along today's tree instead."""
from __future__ import annotations

from tests.e2e.stack import Stack, only_on, wait_for
from tests.e2e.test_first_slice import login, record_meeting

MOVE_DAY = "2026-03-01"


def create_org(c, name: str, kind: str, parent_id: str) -> str:
    r = c.post("/members/api/organizations", json={
        "name": name, "kind": kind, "sector": "administrative", "parent_id": parent_id,
        "effective_from": "2026-01-01"})
    assert r.status_code == 201, r.text
    return r.json()["id"]


def cell_with_members(c, name: str, parent_id: str, people: list[str]) -> tuple[str, list[str]]:
    cell = create_org(c, name, "grassroots_cell", parent_id)
    members = []
    for i, full_name in enumerate(people):
        r = c.post("/members/api/members", json={
            "full_name": full_name, "sex": "female" if "Thị" in full_name else "male",
            "date_of_birth": f"198{i}-04-1{i}", "status": "official", "organization_id": cell,
            "effective_from": "2026-01-01"})
        assert r.status_code == 201, r.text
        members.append(r.json()["id"])
    return cell, members


def held(stack: Stack, token: str, org: str, period: str, tree: str = "as_was") -> int:
    with stack.client("reports", token) as c:
        r = c.get("/reports/api/figures", params={"org_id": org, "period": period, "tree": tree})
        assert r.status_code == 200, r.text
        return r.json()["meetings_held"]


@only_on("postgresql")
def test_the_2025_restructure_keeps_earlier_months_under_the_old_bloc_and_later_ones_under_the_new_committees(
        stack: Stack):
    stack.start("members")
    demo = stack.load_demo()
    stack.start("meetings", "reports")
    token = login(stack, "tinhuy")
    province = demo["province_id"]
    with stack.client("members", token) as c:
        bloc = create_org(c, "Đảng bộ Khối Doanh nghiệp tỉnh", "committee", province)
        party_bodies = create_org(c, "Đảng bộ các cơ quan Đảng tỉnh (mới)", "committee", province)
        people_committee = create_org(c, "Đảng bộ Ủy ban nhân dân tỉnh (mới)", "committee", province)
        press, press_members = cell_with_members(c, "Chi bộ Báo Phú Thọ", bloc,
                                                 ["Nguyễn Thị Hằng", "Đặng Văn Lực", "Vũ Thị Ngọc", "Bùi Văn Sơn"])
        water, water_members = cell_with_members(c, "Chi bộ Công ty Cấp nước", bloc,
                                                 ["Hoàng Văn Tú", "Phan Thị Uyên", "Ngô Văn Vĩnh", "Lý Thị Xuân"])
    with stack.client("meetings", token) as c:
        for cell in (press, water):
            wait_for(lambda: c.get(f"/meetings/api/cells/{cell}/roster", params={"on": "2026-02-10"}).json(),
                     lambda v: len(v.get("members", [])) == 4, what="meetings roster")
    record_meeting(stack, token, press, press_members, "2026-02-10")
    record_meeting(stack, token, water, water_members, "2026-02-12")

    with stack.client("members", token) as c:  # the restructure, all on one date
        for cell, committee in ((press, party_bodies), (water, people_committee)):
            r = c.post(f"/members/api/organizations/{cell}/move", json={"parent_id": committee,
                                                                         "effective_from": MOVE_DAY})
            assert r.status_code == 200, r.text
        r = c.post(f"/members/api/organizations/{bloc}/dissolve", json={"effective_from": MOVE_DAY})
        assert r.status_code == 200, r.text
        assert c.get(f"/members/api/organizations/{press}/on", params={"on": "2026-02-28"}).json()["parent_id"] == bloc
        assert c.get(f"/members/api/organizations/{press}/on", params={"on": MOVE_DAY}).json()["parent_id"] == party_bodies

    record_meeting(stack, token, press, press_members, "2026-03-10")
    record_meeting(stack, token, water, water_members, "2026-03-11")
    wait_for(lambda: held(stack, token, province, "2026-Q1"), lambda v: v == 4, what="all four meetings counted")

    assert held(stack, token, bloc, "2026-02") == 2
    assert held(stack, token, bloc, "2026-03") == 0
    assert held(stack, token, bloc, "2026-Q1") == 2  # only the months it existed
    for committee in (party_bodies, people_committee):
        assert held(stack, token, committee, "2026-02") == 0
        assert held(stack, token, committee, "2026-03") == 1
        assert held(stack, token, committee, "2026-Q1") == 1
        assert held(stack, token, committee, "2026-Q1", tree="today") == 2  # along today's tree
    assert held(stack, token, province, "2026-Q1", tree="today") == 4
