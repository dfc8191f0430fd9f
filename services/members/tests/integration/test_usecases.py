"""Use cases on a real database (SQLite and PostgreSQL): rows, change log, outbox, rights."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select
from sqlmodel import Session

from members import models, queries, usecases
from members.domain import NewMember, NewOrganization
from shared.auth import Principal
from shared.errors import Forbidden, ValidationFailed
from shared.uow import UnitOfWork

FROM = date(2026, 1, 1)
TODAY = date(2026, 3, 15)


def uow(engine) -> UnitOfWork:
    return UnitOfWork(engine, models.outbox)


def outbox_rows(engine) -> list:
    with engine.connect() as conn:
        return conn.execute(select(models.outbox).order_by(models.outbox.c.seq)).all()


def cell_under(parent, name="Chi bộ Ban Nội chính Tỉnh ủy", kind="grassroots_cell") -> NewOrganization:
    return NewOrganization(name=name, kind=kind, sector="administrative", effective_from=FROM, parent_id=parent)


def new_member(cell, **kw) -> NewMember:
    values = dict(full_name="Phạm Văn Bình", sex="male", date_of_birth=date(1990, 4, 30), status="probationary",
                  organization_id=cell, effective_from=FROM, cccd="025090004321", phone="0912345678")
    return NewMember(**{**values, **kw})


def test_creating_an_organization_stores_it_with_its_parent_link_change_log_and_one_outbox_event(engine, tree, rows):
    before = rows(engine)
    principal = Principal("dangbo", "committee", tree.committee)
    org = usecases.create_organization(uow(engine), cell_under(tree.committee), principal, today=TODAY)
    after = rows(engine)
    assert {k: after[k] - before[k] for k in after} == {
        "organization": 1, "organization_parent": 1, "member": 0, "member_placement": 0, "change_log": 1,
        "user_account": 0, "outbox": 1}
    event = outbox_rows(engine)[-1]
    payload = json.loads(event.payload)
    assert event.subject == "members.organization.created"
    assert payload["organization_id"] == str(org.id) and payload["parent_id"] == str(tree.committee)
    assert payload["actor"] == "dangbo" and payload["name"] == "Chi bộ Ban Nội chính Tỉnh ủy"
    with Session(engine) as session:
        log = session.exec(select(models.ChangeLog).where(models.ChangeLog.entity_id == str(org.id))).one()[0]
        assert (log.actor, log.entity, log.action) == ("dangbo", "organization", "created")
        assert json.loads(log.after)["kind"] == "grassroots_cell"
        assert queries.lineage(session, org.id, TODAY) == [org.id, tree.committee, tree.province]


def test_registering_a_member_stores_member_placement_change_log_and_one_outbox_event(engine, tree, rows):
    before = rows(engine)
    principal = Principal("bithu", "secretary", tree.cell)
    member, placement = usecases.register_member(uow(engine), new_member(tree.cell), principal, today=TODAY)
    after = rows(engine)
    assert {k: after[k] - before[k] for k in after} == {
        "organization": 0, "organization_parent": 0, "member": 1, "member_placement": 1, "change_log": 1,
        "user_account": 0, "outbox": 1}
    assert (placement.organization_id, placement.valid_from, placement.valid_to) == (tree.cell, FROM, None)
    payload = json.loads(outbox_rows(engine)[-1].payload)
    assert payload["member_id"] == str(member.id) and payload["organization_id"] == str(tree.cell)
    assert payload["status"] == "probationary" and payload["actor"] == "bithu"
    assert "cccd" not in payload  # personal identifiers stay inside the members service


def test_the_parent_on_a_date_comes_from_the_parent_history(engine, tree):
    # A later restructure (issue #3) closes one link and opens another: both dates stay answerable.
    with Session(engine) as session:
        link = session.exec(select(models.OrganizationParent)
                            .where(models.OrganizationParent.org_id == tree.cell)).one()[0]
        link.valid_to = date(2026, 7, 1)
        session.add(models.OrganizationParent(org_id=tree.cell, parent_id=tree.other_committee,
                                              valid_from=date(2026, 7, 1)))
        session.commit()
        assert queries.lineage(session, tree.cell, date(2026, 6, 30)) == [tree.cell, tree.committee, tree.province]
        assert tree.cell in queries.subtree(session, tree.committee, date(2026, 6, 30))
        assert tree.cell not in queries.subtree(session, tree.other_committee, date(2026, 6, 30))
        assert queries.lineage(session, tree.cell, date(2026, 7, 1)) == [tree.cell, tree.other_committee,
                                                                         tree.province]
        assert tree.cell not in queries.subtree(session, tree.committee, date(2026, 7, 1))
        assert tree.cell in queries.subtree(session, tree.other_committee, date(2026, 7, 1))


def test_a_committee_cannot_create_an_organization_under_another_committee(engine, tree, rows):
    before = rows(engine)
    with pytest.raises(Forbidden):
        usecases.create_organization(uow(engine), cell_under(tree.other_committee),
                                     Principal("dangbo", "committee", tree.committee), today=TODAY)
    assert rows(engine) == before


@pytest.mark.parametrize("role", ["secretary", "member"])
def test_only_province_and_committee_roles_create_organizations(engine, tree, rows, role):
    before = rows(engine)
    with pytest.raises(Forbidden):
        usecases.create_organization(uow(engine), cell_under(tree.cell, kind="subordinate_cell"),
                                     Principal("x", role, tree.province), today=TODAY)
    assert rows(engine) == before


def test_a_plain_member_cannot_register_members(engine, tree, rows):
    before = rows(engine)
    with pytest.raises(Forbidden):
        usecases.register_member(uow(engine), new_member(tree.cell), Principal("x", "member", tree.cell), today=TODAY)
    assert rows(engine) == before


def test_a_new_root_is_outside_everybodys_subtree(engine, tree):
    cmd = NewOrganization(name="Đảng bộ tỉnh khác", kind="province", sector="administrative", effective_from=FROM)
    with pytest.raises(Forbidden):
        usecases.create_organization(uow(engine), cmd, Principal("tinhuy", "province", tree.province), today=TODAY)


def test_a_cccd_already_in_use_is_rejected_on_the_cccd_field(engine, tree, rows):
    before = rows(engine)
    with pytest.raises(ValidationFailed) as err:
        usecases.register_member(uow(engine), new_member(tree.other_cell, cccd="025185000001"), None, today=TODAY)
    assert err.value.field == "cccd"
    assert rows(engine) == before


def test_registering_with_a_given_id_twice_is_rejected(engine, tree):
    with pytest.raises(ValidationFailed) as err:
        usecases.register_member(uow(engine), new_member(tree.cell, id=tree.member, cccd=None), None, today=TODAY)
    assert err.value.field == "id"


def test_listing_the_subtree_counts_current_members(engine, tree):
    rows_ = usecases.organizations_in_scope(uow(engine), Principal("dangbo", "committee", tree.committee), TODAY)
    assert [(org.id, parent, n) for org, parent, n in rows_] == [(tree.committee, tree.province, 0),
                                                                  (tree.cell, tree.committee, 1)]


def test_an_organization_starting_later_is_already_managed_by_its_parent(engine, tree):
    committee = Principal("dangbo", "committee", tree.committee)
    later = NewOrganization(name="Chi bộ Ban Kinh tế Tỉnh ủy", kind="grassroots_cell", sector="administrative",
                            effective_from=date(2026, 9, 1), parent_id=tree.committee)
    cell = usecases.create_organization(uow(engine), later, committee, today=TODAY)
    usecases.register_member(uow(engine), new_member(cell.id, effective_from=date(2026, 9, 1)), committee, today=TODAY)
    listed = usecases.organizations_in_scope(uow(engine), committee, TODAY)
    assert (cell.id, tree.committee, 1) in [(org.id, parent, n) for org, parent, n in listed]
    with pytest.raises(Forbidden):
        usecases.members_in(uow(engine), cell.id, Principal("x", "committee", tree.other_committee), TODAY)
