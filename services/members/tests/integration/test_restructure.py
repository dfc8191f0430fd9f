"""The 2025 restructure: a bloc committee dissolved, its organizations moved to two new committees on one date;
the history answers for any date before and after (SQLite and PostgreSQL)."""
from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select

from members import models, usecases
from members.domain import NewMember, NewOrganization
from shared.auth import Principal
from shared.errors import ValidationFailed
from shared.uow import UnitOfWork

BEFORE = date(2020, 1, 1)
RESTRUCTURE = date(2025, 2, 10)
DAY_BEFORE = date(2025, 2, 9)
TODAY = date(2025, 3, 1)


def uow(engine) -> UnitOfWork:
    return UnitOfWork(engine, models.outbox)


def org(engine, name, kind, parent, on=BEFORE) -> object:
    return usecases.create_organization(uow(engine), NewOrganization(
        name=name, kind=kind, sector="administrative", effective_from=on, parent_id=parent), None).id


def member(engine, cell, n: int, status="official") -> object:
    return usecases.register_member(uow(engine), NewMember(
        full_name=f"Đảng viên {n}", sex="male", date_of_birth=date(1980, 1, n), status=status, organization_id=cell,
        effective_from=BEFORE, cccd=f"0250800000{n:02d}"), None, today=TODAY)[0].id


def subjects_since(engine, seq: int) -> list[str]:
    with engine.connect() as conn:
        return [r.subject for r in conn.execute(select(models.outbox).where(models.outbox.c.seq > seq)
                                                .order_by(models.outbox.c.seq))]


def last_seq(engine) -> int:
    with engine.connect() as conn:
        return conn.execute(select(models.outbox.c.seq).order_by(models.outbox.c.seq.desc())).scalars().first() or 0


@pytest.fixture
def bloc(engine):
    province = org(engine, "Đảng bộ tỉnh Phú Thọ", "province", None)
    bloc = org(engine, "Đảng bộ Khối các cơ quan tỉnh", "committee", province)
    finance = org(engine, "Chi bộ Sở Tài chính", "grassroots_cell", bloc)
    party_office = org(engine, "Chi bộ Văn phòng Tỉnh ủy", "grassroots_cell", bloc)
    justice = org(engine, "Đảng bộ Sở Tư pháp", "grassroots_committee", bloc)
    justice_cell = org(engine, "Chi bộ Phòng Hành chính tư pháp", "subordinate_cell", justice)
    members = {"finance": member(engine, finance, 1), "office": member(engine, party_office, 2),
               "justice": member(engine, justice_cell, 3)}
    return dict(province=province, bloc=bloc, finance=finance, party_office=party_office, justice=justice,
                justice_cell=justice_cell, members=members)


def test_the_2025_restructure_moves_a_blocs_organizations_to_two_new_committees_on_one_date(engine, bloc):
    staff = Principal("tinhuy", "province", bloc["province"])
    seq = last_seq(engine)
    party_bodies = org(engine, "Đảng bộ các cơ quan Đảng tỉnh", "committee", bloc["province"], RESTRUCTURE)
    peoples_committee = org(engine, "Đảng bộ Ủy ban nhân dân tỉnh", "committee", bloc["province"], RESTRUCTURE)
    usecases.move_organization(uow(engine), bloc["party_office"], party_bodies, RESTRUCTURE, staff, today=TODAY)
    usecases.move_organization(uow(engine), bloc["finance"], peoples_committee, RESTRUCTURE, staff, today=TODAY)
    usecases.move_organization(uow(engine), bloc["justice"], peoples_committee, RESTRUCTURE, staff, today=TODAY)
    usecases.dissolve_organization(uow(engine), bloc["bloc"], RESTRUCTURE, staff, today=TODAY)

    assert subjects_since(engine, seq) == ["members.organization.created"] * 2 + \
        ["members.organization.moved"] * 3 + ["members.organization.dissolved"]
    parent = lambda o, on: usecases.organization_on(uow(engine), bloc[o], on, staff, today=TODAY).parent_id  # noqa
    assert [parent(o, DAY_BEFORE) for o in ("party_office", "finance", "justice")] == [bloc["bloc"]] * 3
    assert [parent(o, RESTRUCTURE) for o in ("party_office", "finance", "justice")] == [
        party_bodies, peoples_committee, peoples_committee]
    assert parent("justice_cell", RESTRUCTURE) == bloc["justice"]  # the subtree moved with its head
    old_bloc = usecases.organization_on(uow(engine), bloc["bloc"], DAY_BEFORE, staff, today=TODAY)
    gone_bloc = usecases.organization_on(uow(engine), bloc["bloc"], RESTRUCTURE, staff, today=TODAY)
    assert (old_bloc.in_force, old_bloc.parent_id) == (True, bloc["province"])
    assert (gone_bloc.in_force, gone_bloc.parent_id) == (False, None)
    # members stayed in their cells; the cells' lineage changed on the date
    on = lambda m, day: usecases.member_organization_on(uow(engine), bloc["members"][m], day, staff,  # noqa
                                                        today=TODAY)[0]
    assert on("justice", DAY_BEFORE) == on("justice", RESTRUCTURE) == bloc["justice_cell"]
    from members import queries
    from sqlmodel import Session
    with Session(engine) as session:
        assert bloc["bloc"] in queries.lineage(session, bloc["justice_cell"], DAY_BEFORE)
        assert queries.lineage(session, bloc["justice_cell"], RESTRUCTURE) == [
            bloc["justice_cell"], bloc["justice"], peoples_committee, bloc["province"]]
        assert set(queries.subtree(session, bloc["province"], RESTRUCTURE)) == {
            bloc["province"], party_bodies, peoples_committee, bloc["party_office"], bloc["finance"],
            bloc["justice"], bloc["justice_cell"]}


def test_a_bloc_with_organizations_still_under_it_cannot_be_dissolved(engine, bloc, rows):
    staff = Principal("tinhuy", "province", bloc["province"])
    before = rows(engine)
    with pytest.raises(ValidationFailed) as err:
        usecases.dissolve_organization(uow(engine), bloc["bloc"], RESTRUCTURE, staff, today=TODAY)
    assert err.value.problems[0].field == "organization_id" and "trực thuộc" in err.value.problems[0].vi
    assert rows(engine) == before


def test_a_merge_moves_the_members_with_a_transfer_event_each_and_keeps_the_history(engine, bloc):
    staff = Principal("tinhuy", "province", bloc["province"])
    extra = member(engine, bloc["finance"], 4)
    seq = last_seq(engine)
    usecases.dissolve_organization(uow(engine), bloc["finance"], RESTRUCTURE, staff,
                                   merged_into_id=bloc["party_office"], today=TODAY)
    with engine.connect() as conn:
        rows = conn.execute(select(models.outbox).where(models.outbox.c.seq > seq).order_by(models.outbox.c.seq)).all()
    assert [r.subject for r in rows] == ["members.organization.dissolved"] + ["members.member.transferred"] * 2
    dissolved = json.loads(rows[0].payload)
    assert dissolved["merged_into_id"] == str(bloc["party_office"]) and dissolved["effective_from"] == "2025-02-10"
    moved = {json.loads(r.payload)["member_id"] for r in rows[1:]}
    assert moved == {str(bloc["members"]["finance"]), str(extra)}
    for row in rows[1:]:
        payload = json.loads(row.payload)
        assert (payload["from_organization_id"], payload["to_organization_id"], payload["effective_from"]) == (
            str(bloc["finance"]), str(bloc["party_office"]), "2025-02-10")
    on = lambda day: usecases.member_organization_on(uow(engine), extra, day, staff, today=TODAY)[0]  # noqa
    assert (on(DAY_BEFORE), on(RESTRUCTURE)) == (bloc["finance"], bloc["party_office"])


def test_a_rename_is_answered_by_date_and_the_change_log_keeps_before_and_after(engine, bloc):
    staff = Principal("tinhuy", "province", bloc["province"])
    usecases.rename_organization(uow(engine), bloc["finance"], "Chi bộ Sở Tài chính – Kế hoạch", RESTRUCTURE, staff,
                                 today=TODAY)
    name = lambda day: usecases.organization_on(uow(engine), bloc["finance"], day, staff, today=TODAY).name  # noqa
    assert (name(DAY_BEFORE), name(RESTRUCTURE)) == ("Chi bộ Sở Tài chính", "Chi bộ Sở Tài chính – Kế hoạch")
    with engine.connect() as conn:
        log = conn.execute(select(models.ChangeLog).where(models.ChangeLog.action == "renamed")).one()
    assert json.loads(log.before)["name"] == "Chi bộ Sở Tài chính"
    assert json.loads(log.after)["name"] == "Chi bộ Sở Tài chính – Kế hoạch" and log.actor == "tinhuy"


def test_only_a_superior_may_restructure_an_organization(engine, bloc):
    from shared.errors import Forbidden
    with pytest.raises(Forbidden):
        usecases.rename_organization(uow(engine), bloc["bloc"], "Tên khác", RESTRUCTURE,
                                     Principal("khoi", "committee", bloc["bloc"]), today=TODAY)
    with pytest.raises(Forbidden):
        usecases.move_organization(uow(engine), bloc["justice_cell"], bloc["justice"], RESTRUCTURE,
                                   Principal("bithu", "secretary", bloc["finance"]), today=TODAY)


def test_structure_warnings_follow_the_official_counts_of_the_subtree(engine, bloc):
    staff = Principal("tinhuy", "province", bloc["province"])
    warnings = usecases.structure_warnings(uow(engine), bloc["bloc"], staff, TODAY, today=TODAY)
    by_org = {(w.organization_id, w.rule) for w in warnings}
    # each grassroots organization has a single official member: below 3; the committee below 30
    assert (bloc["finance"], "grassroots_min_official") in by_org
    assert (bloc["justice"], "grassroots_min_official") in by_org
    assert (bloc["justice"], "committee_below_threshold") in by_org
    assert not any(o == bloc["justice_cell"] for o, _ in by_org)  # a subordinate cell has no minimum
    for n in (5, 6):
        member(engine, bloc["finance"], n)
    warnings = usecases.structure_warnings(uow(engine), bloc["bloc"], staff, TODAY, today=TODAY)
    assert (bloc["finance"], "grassroots_min_official") not in {(w.organization_id, w.rule) for w in warnings}


def test_a_reclassification_publishes_its_event_and_is_answered_by_date(engine, bloc):
    staff = Principal("tinhuy", "province", bloc["province"])
    seq = last_seq(engine)
    outcome = usecases.reclassify_organization(uow(engine), bloc["finance"], "grassroots_cell", "public_service",
                                               "Cụm 2", RESTRUCTURE, staff, today=TODAY)
    assert [e.subject for e in outcome.events] == subjects_since(engine, seq) == ["members.organization.reclassified"]
    on = lambda day: usecases.organization_on(uow(engine), bloc["finance"], day, staff, today=TODAY)  # noqa: E731
    assert (on(DAY_BEFORE).sector, on(DAY_BEFORE).cluster) == ("administrative", None)
    assert (on(RESTRUCTURE).sector, on(RESTRUCTURE).cluster) == ("public_service", "Cụm 2")
    with pytest.raises(ValidationFailed) as err:  # a cell with a member cannot become a committee
        usecases.reclassify_organization(uow(engine), bloc["finance"], "grassroots_committee", "public_service",
                                         "Cụm 2", date(2025, 2, 20), staff, today=TODAY)
    assert err.value.problems[0].field == "kind"
    outcome = usecases.rename_organization(uow(engine), bloc["finance"], "Chi bộ Sở Tài chính tỉnh", date(2025, 2, 20),
                                           staff, today=TODAY)
    assert [e.subject for e in outcome.events] == ["members.organization.renamed"]
    assert on(date(2025, 2, 20)).name == "Chi bộ Sở Tài chính tỉnh" and on(RESTRUCTURE).name == "Chi bộ Sở Tài chính"
    assert on(date(2025, 2, 20)).sector == "public_service"  # the rename kept the classification of its day
