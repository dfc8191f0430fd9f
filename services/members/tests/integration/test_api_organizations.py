"""Organizations over HTTP: 201 + outbox, bilingual 422 naming the field, 401/403 by subtree."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select

from members import models


def body(parent, **kw) -> dict:
    return {"name": "Chi bộ Ban Nội chính Tỉnh ủy", "kind": "grassroots_cell", "sector": "administrative",
            "parent_id": str(parent), "effective_from": "2026-02-01", **kw}


def assert_bilingual_422(response, field: str) -> dict:
    assert response.status_code == 422, response.text
    problem = next(p for p in response.json()["detail"] if p["field"] == field)
    assert problem["msg_vi"] and problem["msg_en"] and problem["msg_vi"] != problem["msg_en"]
    assert problem["msg"] == f"{problem['msg_vi']} / {problem['msg_en']}"
    return problem


def test_creating_an_organization_stores_it_and_writes_exactly_one_outbox_row(client, engine, tree, auth, rows):
    before = rows(engine, models.outbox)
    response = client.post("/members/api/organizations", json=body(tree.committee, cluster="Cụm 1"),
                           headers=auth("committee", tree.committee))
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["parent_id"] == str(tree.committee) and created["cluster"] == "Cụm 1"
    assert rows(engine, models.outbox) == before + 1
    with engine.connect() as conn:
        last = conn.execute(select(models.outbox).order_by(models.outbox.c.seq.desc())).first()
    assert last.subject == "members.organization.created" and created["id"] in last.payload
    fetched = client.get(f"/members/api/organizations/{created['id']}", headers=auth("province", tree.province))
    assert fetched.status_code == 200 and fetched.json()["name"] == "Chi bộ Ban Nội chính Tỉnh ủy"


def test_an_unknown_parent_is_a_422_on_parent_id_and_changes_nothing(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.post("/members/api/organizations", json=body(uuid.uuid4()), headers=auth("province", tree.province))
    assert assert_bilingual_422(response, "parent_id")["msg_vi"] == "Không tìm thấy tổ chức này"
    assert rows(engine) == before


def test_a_cell_under_a_cell_is_a_422_on_parent_id_and_changes_nothing(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.post("/members/api/organizations", json=body(tree.cell, kind="subordinate_cell"),
                           headers=auth("province", tree.province))
    assert "chỉ được đặt dưới" in assert_bilingual_422(response, "parent_id")["msg_vi"]
    assert rows(engine) == before


@pytest.mark.parametrize("field,value", [("kind", "club"), ("sector", "space"), ("effective_from", "2026-13-01"),
                                         ("name", "")])
def test_malformed_fields_are_bilingual_422s_naming_the_field(client, engine, tree, auth, rows, field, value):
    before = rows(engine)
    response = client.post("/members/api/organizations", json=body(tree.committee, **{field: value}),
                           headers=auth("province", tree.province))
    assert_bilingual_422(response, field)
    assert rows(engine) == before


def test_a_committee_cannot_create_under_another_committee(client, engine, tree, auth, rows):
    before = rows(engine)
    response = client.post("/members/api/organizations", json=body(tree.other_committee),
                           headers=auth("committee", tree.committee))
    assert response.status_code == 403 and response.json()["detail"][0]["msg_vi"]
    assert rows(engine) == before


def test_a_secretary_cannot_create_organizations(client, engine, tree, auth, rows):
    response = client.post("/members/api/organizations", json=body(tree.cell, kind="subordinate_cell"),
                           headers=auth("secretary", tree.cell))
    assert response.status_code == 403


@pytest.mark.parametrize("method,path", [("get", "/members/api/organizations"), ("post", "/members/api/organizations"),
                                         ("get", "/members/api/members?organization_id=" + str(uuid.uuid4())),
                                         ("post", "/members/api/members")])
def test_requests_without_a_valid_token_get_401(client, tree, method, path):
    response = getattr(client, method)(path)
    assert response.status_code == 401 and "Chưa đăng nhập" in response.json()["detail"][0]["msg_vi"]
    forged = {"Authorization": "Bearer " + "x.y.z"}
    assert getattr(client, method)(path, headers=forged).status_code == 401


def test_the_organization_list_is_the_callers_subtree_with_member_counts(client, tree, auth):
    response = client.get("/members/api/organizations", headers=auth("committee", tree.committee))
    assert response.status_code == 200
    items = {i["id"]: i for i in response.json()["items"]}
    assert set(items) == {str(tree.committee), str(tree.cell)}
    assert items[str(tree.cell)]["member_count"] == 1 and items[str(tree.committee)]["parent_id"] == str(tree.province)
    everything = client.get("/members/api/organizations", headers=auth("province", tree.province)).json()
    assert everything["count"] == 5 and everything["items"][0]["id"] == str(tree.province)


def test_a_secretary_cannot_read_another_cell(client, tree, auth):
    headers = auth("secretary", tree.cell)
    assert client.get(f"/members/api/organizations/{tree.cell}", headers=headers).status_code == 200
    assert client.get(f"/members/api/organizations/{tree.other_cell}", headers=headers).status_code == 403
    assert client.get(f"/members/api/organizations/{tree.committee}", headers=headers).status_code == 403
    listed = client.get("/members/api/organizations", headers=headers).json()
    assert [i["id"] for i in listed["items"]] == [str(tree.cell)]


def test_an_unknown_organization_is_404(client, tree, auth):
    response = client.get(f"/members/api/organizations/{uuid.uuid4()}", headers=auth("province", tree.province))
    assert response.status_code == 404 and response.json()["detail"][0]["msg_vi"] == "Không tìm thấy tổ chức"
