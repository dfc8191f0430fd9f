"""The lifecycle commands on a real database (SQLite and PostgreSQL): each writes its rows, its change log
and exactly its event to the outbox; an invalid one changes nothing and says why."""
from __future__ import annotations

import json
from dataclasses import replace
from datetime import date

import pytest
from sqlalchemy import select

from members import models, usecases
from members.domain import Admission, NewMember, Readmission
from shared.auth import Principal
from shared.errors import Forbidden, ValidationFailed
from shared.uow import UnitOfWork


def uow(engine) -> UnitOfWork:
    return UnitOfWork(engine, models.outbox)


def last_events(engine, n: int) -> list[tuple[str, dict]]:
    with engine.connect() as conn:
        rows = conn.execute(select(models.outbox).order_by(models.outbox.c.seq.desc()).limit(n)).all()
    return [(r.subject, json.loads(r.payload)) for r in reversed(rows)]


def outbox_count(engine) -> int:
    with engine.connect() as conn:
        return len(conn.execute(select(models.outbox.c.seq)).all())


def staff(tree) -> Principal:
    return Principal("dangbo", "committee", tree.committee)


def admit(engine, tree, today=date(2026, 2, 1), **kw):
    values = dict(full_name="Lê Văn Tâm", sex="male", date_of_birth=date(1998, 4, 2), organization_id=tree.cell,
                  considered_on=date(2026, 1, 10), decision_date=date(2026, 1, 15), ceremony_date=date(2026, 1, 20),
                  cccd="025098001234", details={"ethnicity": "Tày", "hometown": "Thanh Sơn, Phú Thọ",
                                                "education_level": "12/12", "occupation": "Kỹ sư"})
    return usecases.admit_member(uow(engine), Admission(**{**values, **kw}), staff(tree), today=today)


def test_a_probationer_goes_the_whole_way_each_step_publishing_its_event(engine, tree):
    who = staff(tree)
    admitted = admit(engine, tree)
    member_id = admitted.entity.id
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.admitted" and payload["effective_from"] == "2026-01-20"
    assert payload["profile"]["ethnicity"] == "Tày" and payload["profile"]["party_age_start"] == "2026-01-15"

    due = usecases.probation_due_list(uow(engine), tree.committee, who, today=date(2027, 1, 19))
    assert [(m.id, d.due_on, d.overdue) for m, _, d in due] == [(member_id, date(2027, 1, 20), False)]

    with pytest.raises(ValidationFailed) as err:
        usecases.make_official(uow(engine), member_id, date(2027, 1, 19), who, today=date(2027, 2, 1))
    assert err.value.problems[0].field == "decision_date"
    usecases.make_official(uow(engine), member_id, date(2027, 1, 20), who, today=date(2027, 2, 1))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.made_official" and payload["effective_from"] == "2027-01-20"

    usecases.issue_party_card(uow(engine), member_id, "08123456", date(2027, 3, 3), who, today=date(2027, 3, 5))
    usecases.issue_party_card(uow(engine), member_id, "08123457", date(2027, 3, 4), who, replacement=True,
                              today=date(2027, 3, 5))
    cards = last_events(engine, 2)
    assert [(s, p["replacement"]) for s, p in cards] == [("members.member.card_issued", False),
                                                         ("members.member.card_issued", True)]

    usecases.exempt_member(uow(engine), member_id, date(2027, 4, 1), who, "Ốm dài ngày", today=date(2027, 6, 1))
    usecases.end_exemption(uow(engine), member_id, date(2027, 5, 1), who, today=date(2027, 6, 1))
    usecases.temporary_transfer(uow(engine), member_id, date(2027, 6, 1), date(2027, 10, 1), who,
                                host_organization_id=tree.other_cell, today=date(2027, 6, 2))
    usecases.end_temporary_transfer(uow(engine), member_id, date(2027, 9, 20), who, today=date(2027, 9, 21))
    assert [s for s, _ in last_events(engine, 4)] == [
        "members.member.exempted", "members.member.exemption_ended", "members.member.temporarily_transferred",
        "members.member.temporary_transfer_ended"]

    province = Principal("tinhuy", "province", tree.province)
    before = outbox_count(engine)
    letter = usecases.issue_transfer(uow(engine), member_id, date(2027, 10, 1), province,
                                     to_organization_id=tree.other_cell, moved_on=date(2027, 9, 1),
                                     today=date(2027, 10, 2))
    assert outbox_count(engine) == before and letter.events == []  # waits for the receiving cell
    pending = usecases.pending_transfer_list(uow(engine), tree.province, province, today=date(2027, 10, 2))
    assert [(t.member_id, late) for t, _, _, late in pending] == [(member_id, False)]
    usecases.receive_transfer(uow(engine), member_id, date(2027, 10, 5), province, today=date(2027, 10, 6))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.transferred" and payload["to_organization_id"] == str(tree.other_cell)
    assert payload["letter_issued_on"] == "2027-10-01" and payload["effective_from"] == "2027-10-05"
    on = lambda day: usecases.member_organization_on(uow(engine), member_id, day, province,  # noqa: E731
                                                     today=date(2027, 10, 6))[0]
    assert (on(date(2027, 10, 4)), on(date(2027, 10, 5))) == (tree.cell, tree.other_cell)

    usecases.end_membership(uow(engine), member_id, "removed", date(2028, 1, 10), province,
                            decision_date=date(2028, 1, 10), cause="unpaid_fees", today=date(2028, 2, 1))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.membership_ended" and payload["reason"] == "removed"

    with pytest.raises(ValidationFailed) as err:
        usecases.readmit_member(uow(engine), member_id, Readmission(tree.cell, date(2031, 1, 9), date(2031, 1, 15),
                                                                    date(2031, 1, 20)), province,
                                today=date(2031, 2, 1))
    assert err.value.problems[0].field == "considered_on"
    usecases.readmit_member(uow(engine), member_id, Readmission(tree.cell, date(2031, 1, 10), date(2031, 1, 15),
                                                                date(2031, 1, 20)), province, today=date(2031, 2, 1))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.admitted" and payload["readmission"] is True
    assert payload["profile"]["party_age_start"] == "2026-01-15"  # the first decision
    view = usecases.member_detail(uow(engine), member_id, province, today=date(2031, 2, 1))
    assert view.member.status == "probationary" and view.member.readmissions == 1
    # party age: 15/1/2026 → 1/2/2031 less the 1,101 days away (10/1/2028 → 15/1/2031, the new decision):
    # the start shifts to 20/1/2029, so 2 years 0 months — not the 5 years of the calendar
    assert view.state.gaps == ((date(2028, 1, 10), date(2031, 1, 15)),)
    assert view.party_age == (2, 0)


def test_an_invalid_command_changes_nothing_and_names_the_field(engine, tree, rows):
    admitted = admit(engine, tree)
    before = rows(engine)
    with pytest.raises(ValidationFailed) as err:
        usecases.issue_party_card(uow(engine), admitted.entity.id, "08123456", date(2026, 3, 1), staff(tree),
                                  today=date(2026, 3, 2))
    assert err.value.problems[0].field == "status" and "dự bị" in err.value.problems[0].vi
    assert rows(engine) == before


def test_refusing_official_status_removes_the_name_with_its_reason(engine, tree):
    admitted = admit(engine, tree)
    usecases.refuse_official(uow(engine), admitted.entity.id, date(2027, 1, 25), staff(tree), today=date(2027, 2, 1))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.membership_ended" and payload["reason"] == "probation_not_recognized"
    members = usecases.members_in(uow(engine), tree.cell, staff(tree), today=date(2027, 2, 1))
    assert admitted.entity.id not in [m.id for m, _ in members]


def test_a_transfer_out_of_the_province_and_one_in_from_outside(engine, tree):
    province = Principal("tinhuy", "province", tree.province)
    usecases.issue_transfer(uow(engine), tree.member, date(2026, 3, 2), province, destination="Tỉnh ủy Tuyên Quang",
                            today=date(2026, 3, 5))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.transferred" and payload["to_organization_id"] is None
    assert payload["destination"] == "Tỉnh ủy Tuyên Quang"
    usecases.receive_transfer_in(uow(engine), NewMember(
        full_name="Hà Thị Thu", sex="female", date_of_birth=date(1988, 8, 8), status="official",
        organization_id=tree.other_cell, effective_from=date(2026, 3, 3), cccd="025188007777",
        details={"ethnicity": "Mường"}, admission_decision_date=date(2012, 5, 1),
        admission_ceremony_date=date(2012, 5, 19), official_date=date(2013, 5, 19)), "Tỉnh ủy Hòa Bình",
        province, today=date(2026, 3, 5))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.transfer_received" and payload["origin"] == "Tỉnh ủy Hòa Bình"
    assert payload["profile"]["ethnicity"] == "Mường" and payload["profile"]["party_age_start"] == "2012-05-01"


def test_badges_due_at_the_next_award_date_and_the_award(engine, tree):
    province = Principal("tinhuy", "province", tree.province)
    veteran, _ = usecases.register_member(uow(engine), NewMember(
        full_name="Đỗ Văn Hòa", sex="male", date_of_birth=date(1965, 2, 2), status="official",
        organization_id=tree.cell, effective_from=date(2026, 1, 1), admission_decision_date=date(1996, 9, 2),
        admission_ceremony_date=date(1996, 9, 20), official_date=date(1997, 9, 20)), None, today=date(2026, 1, 1))
    award_date, due = usecases.badges_due_list(uow(engine), tree.committee, province, today=date(2026, 5, 20))
    assert award_date == date(2026, 9, 2)
    assert [(m.id, d.years, d.early) for m, _, d in due] == [(veteran.id, 30, False)]
    usecases.award_badge(uow(engine), veteran.id, 30, date(2026, 9, 2), province, today=date(2026, 9, 2))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.badge_awarded" and payload["years"] == 30
    _, due = usecases.badges_due_list(uow(engine), tree.committee, province, today=date(2026, 9, 3))
    assert due == []


def test_a_profile_change_is_kept_with_who_when_before_and_after(engine, tree):
    secretary = Principal("bithu", "secretary", tree.cell)
    usecases.update_profile(uow(engine), tree.member, {"political_theory_level": "trung_cap", "phone": "0912000111"},
                            secretary, today=date(2026, 3, 1))
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.profile_changed"
    assert payload["profile"]["political_theory_level"] == "trung_cap" and payload["full_name"] == "Nguyễn Thị Lan"
    count = outbox_count(engine)
    usecases.update_profile(uow(engine), tree.member, {"phone": "0912000222"}, secretary, today=date(2026, 3, 1))
    assert outbox_count(engine) == count  # a phone is not a statistical field
    history = usecases.member_history(uow(engine), tree.member, secretary)
    last = history[-1]
    assert (last.actor, last.action) == ("bithu", "profile_changed")
    assert json.loads(last.before) == {"phone": "0912000111"} and json.loads(last.after) == {"phone": "0912000222"}


def test_a_cccd_already_used_is_refused_on_edit_and_admission(engine, tree, rows):
    admitted = admit(engine, tree)
    before = rows(engine)
    with pytest.raises(ValidationFailed) as err:
        usecases.update_profile(uow(engine), admitted.entity.id, {"cccd": "025185000001"}, staff(tree),
                                today=date(2026, 3, 1))
    assert err.value.problems[0].field == "cccd" and "đã được dùng" in err.value.problems[0].vi
    with pytest.raises(ValidationFailed) as err:
        admit(engine, tree, cccd="025185000001", full_name="Người khác")
    assert err.value.problems[0].field == "cccd"
    assert rows(engine) == before


def test_a_secretary_records_but_does_not_decide_and_only_in_the_own_cell(engine, tree):
    secretary = Principal("bithu", "secretary", tree.cell)
    with pytest.raises(Forbidden):
        usecases.make_official(uow(engine), tree.member, date(2026, 3, 1), secretary, today=date(2026, 3, 2))
    other_secretary = Principal("bithu2", "secretary", tree.other_cell)
    with pytest.raises(Forbidden):
        usecases.exempt_member(uow(engine), tree.member, date(2026, 3, 1), other_secretary, today=date(2026, 3, 2))
    outsider = Principal("ubnd", "committee", tree.other_committee)
    with pytest.raises(Forbidden):
        usecases.issue_party_card(uow(engine), tree.member, "08123456", date(2026, 3, 1), outsider,
                                  today=date(2026, 3, 2))
    usecases.exempt_member(uow(engine), tree.member, date(2026, 3, 1), secretary, today=date(2026, 3, 2))


def test_a_member_who_transferred_out_and_comes_back_keeps_the_same_record(engine, tree):
    province = Principal("tinhuy", "province", tree.province)
    usecases.issue_transfer(uow(engine), tree.member, date(2026, 3, 2), province, destination="Tỉnh ủy Yên Bái",
                            today=date(2026, 3, 5))
    back = NewMember(full_name="Nguyễn Thị Lan", sex="female", date_of_birth=date(1985, 3, 8), status="official",
                     organization_id=tree.other_cell, effective_from=date(2026, 3, 1), cccd="025185000001")
    with pytest.raises(ValidationFailed) as err:
        usecases.receive_transfer_in(uow(engine), back, "Tỉnh ủy Yên Bái", province, today=date(2026, 9, 1))
    assert err.value.problems[0].field == "effective_from"
    outcome = usecases.receive_transfer_in(uow(engine), replace(back, effective_from=date(2026, 8, 1)),
                                           "Tỉnh ủy Yên Bái", province, today=date(2026, 9, 1))
    assert outcome.entity.id == tree.member and outcome.entity.status == "official"
    (subject, payload), = last_events(engine, 1)
    assert subject == "members.member.transfer_received" and payload["member_id"] == str(tree.member)
    on = lambda day: usecases.member_organization_on(uow(engine), tree.member, day, province,  # noqa: E731
                                                     today=date(2026, 9, 1))[0]
    assert (on(date(2026, 3, 1)), on(date(2026, 5, 1)), on(date(2026, 8, 1))) == (tree.cell, None, tree.other_cell)
