"""GET /members/api/sources/placements: the source records of the reports' consistency check, role-checked."""
from __future__ import annotations

URL = "/members/api/sources/placements"


def test_a_committee_reads_every_placement_in_its_subtree(client, tree, auth):
    response = client.get(URL, params={"org_id": str(tree.committee)}, headers=auth("committee", tree.committee))
    assert response.status_code == 200, response.text
    body = response.json()
    assert set(body["organizations"]) == {str(tree.committee), str(tree.cell)}
    assert body["placements"] == [{"member_id": str(tree.member), "organization_id": str(tree.cell),
                                   "valid_from": "2026-01-01", "valid_to": None, "status": "official",
                                   "sex": "female", "date_of_birth": "1985-03-08"}]
    other = client.get(URL, params={"org_id": str(tree.other_committee)}, headers=auth("province", tree.province))
    assert other.json()["placements"] == []


def test_a_secretary_may_not_read_source_records(client, tree, auth):
    response = client.get(URL, params={"org_id": str(tree.cell)}, headers=auth("secretary", tree.cell))
    assert response.status_code == 403


def test_a_committee_may_not_read_another_committees_subtree(client, tree, auth):
    response = client.get(URL, params={"org_id": str(tree.other_committee)}, headers=auth("committee", tree.committee))
    assert response.status_code == 403


def test_an_unknown_organization_is_rejected_in_vietnamese_and_english(client, tree, auth):
    response = client.get(URL, params={"org_id": "00000000-0000-0000-0000-000000000001"},
                          headers=auth("province", tree.province))
    assert response.status_code == 422
    assert response.json()["detail"][0]["field"] == "org_id"
