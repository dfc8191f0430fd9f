"""Members over HTTP: registration, field-named 422s that change nothing, cell-level rights."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from members import models


def body(cell, **kw) -> dict:
    return {"full_name": "Lê Thị Hồng Nhung", "sex": "female", "date_of_birth": "1996-10-20", "status": "probationary",
            "organization_id": str(cell), "effective_from": "2026-02-03", "cccd": "025196001122",
            "phone": "0987654321", **kw}


def problem(response, field: str) -> dict:
    assert response.status_code == 422, response.text
    found = next(p for p in response.json()["detail"] if p["field"] == field)
    assert found["msg_vi"] and found["msg_en"] and found["msg"] == f"{found['msg_vi']} / {found['msg_en']}"
    return found


def test_registering_a_member_stores_it_and_writes_exactly_one_outbox_row(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.post("/members/api/members", json=body(tree.cell), headers=auth("secretary", tree.cell))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["full_name"] == "Lê Thị Hồng Nhung" and created["organization_id"] == str(tree.cell)
    after = rows(engine)
    assert (after["member"] - before["member"], after["member_placement"] - before["member_placement"],
            after["outbox"] - before["outbox"]) == (1, 1, 1)
    with engine.connect() as conn:
        last = conn.execute(select(models.outbox).order_by(models.outbox.c.seq.desc())).first()
    assert last.subject == "members.member.registered" and created["id"] in last.payload
    listed = client.get(f"/members/api/members?organization_id={tree.cell}", headers=auth("secretary", tree.cell))
    assert sorted(m["full_name"] for m in listed.json()["items"]) == ["Lê Thị Hồng Nhung", "Nguyễn Thị Lan"]


@pytest.mark.parametrize("change,field,says", [
    ({"cccd": "025185000001"}, "cccd", "đã được dùng"),  # the tree's member holds it
    ({"cccd": "02518500000"}, "cccd", "12 chữ số"),
    ({"organization_id": str(uuid.uuid4())}, "organization_id", "Không tìm thấy"),
    ({"date_of_birth": "2008-02-04"}, "date_of_birth", "18 tuổi"),  # 18 the day after 2026-02-03
    ({"date_of_birth": "2099-01-01", "status": "official"}, "date_of_birth", "tương lai"),
    ({"sex": "x"}, "sex", "danh mục"),
    ({"effective_from": "03/02/2026"}, "effective_from", "Ngày không hợp lệ"),
    ({"full_name": None}, "full_name", ""),
])
def test_invalid_registrations_are_bilingual_422s_naming_the_field_and_change_nothing(
        client, engine, tree, auth, rows, change, field, says):
    before = rows(engine)
    response = client.post("/members/api/members", json=body(tree.cell, **change), headers=auth("province", tree.province))
    assert says in problem(response, field)["msg_vi"]
    assert rows(engine) == before


def test_registering_into_a_committee_is_a_422_on_organization_id(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.post("/members/api/members", json=body(tree.committee), headers=auth("province", tree.province))
    assert "chi bộ" in problem(response, "organization_id")["msg_vi"]
    assert rows(engine) == before


def test_a_secretary_cannot_register_into_another_cell(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.post("/members/api/members", json=body(tree.other_cell), headers=auth("secretary", tree.cell))
    assert response.status_code == 403 and response.json()["detail"][0]["msg_en"]
    assert rows(engine) == before


def test_a_secretary_cannot_list_another_cells_members(client, tree, auth):
    response = client.get(f"/members/api/members?organization_id={tree.other_cell}", headers=auth("secretary", tree.cell))
    assert response.status_code == 403


def test_a_committee_lists_members_of_cells_below_it_only(client, tree, auth):
    headers = auth("committee", tree.committee)
    mine = client.get(f"/members/api/members?organization_id={tree.cell}", headers=headers)
    assert mine.status_code == 200 and mine.json()["count"] == 1
    assert mine.json()["items"][0]["cccd"] == "025185000001"
    assert client.get(f"/members/api/members?organization_id={tree.other_cell}", headers=headers).status_code == 403


def test_listing_members_needs_an_organization_id(client, tree, auth):
    response = client.get("/members/api/members", headers=auth("province", tree.province))
    assert problem(response, "organization_id")["msg_vi"] == "Thiếu trường bắt buộc"
