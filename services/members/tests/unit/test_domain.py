"""Pure rules: where organizations may sit, who may be registered, CCCD format."""
from __future__ import annotations

import uuid
from datetime import date

import pytest

from members.domain import (NewMember, NewOrganization, OrgRef, RuleError, age_on, new_organization, register)

TODAY = date(2026, 3, 15)
FROM = date(2026, 3, 1)
CELL = OrgRef(uuid.uuid4(), "grassroots_cell", date(2026, 1, 1))

# Written out by hand (not derived from the module) so a wrong table fails here.
ALLOWED = {
    ("committee", "province"), ("grassroots_committee", "committee"), ("grassroots_committee", "province"),
    ("grassroots_cell", "committee"), ("grassroots_cell", "province"), ("sub_committee", "grassroots_committee"),
    ("subordinate_cell", "grassroots_committee"), ("subordinate_cell", "sub_committee"),
}
KINDS = ("province", "committee", "grassroots_committee", "grassroots_cell", "sub_committee", "subordinate_cell")


def fields(err: RuleError) -> list[str]:
    return [p.field for p in err.problems]


def org(kind: str, parent: OrgRef | None, on: date = FROM) -> NewOrganization:
    return NewOrganization(name="Chi bộ thử", kind=kind, sector="administrative", effective_from=on,
                           parent_id=parent.id if parent else None)


def member(born: date, status: str = "probationary", **kw) -> NewMember:
    values = dict(full_name="Nguyễn Văn An", sex="male", date_of_birth=born, status=status,
                  organization_id=CELL.id, effective_from=FROM)
    return NewMember(**{**values, **kw})


@pytest.mark.parametrize("kind", KINDS)
@pytest.mark.parametrize("parent_kind", KINDS)
def test_each_kind_may_only_sit_under_its_allowed_parent_kinds(kind, parent_kind):
    parent = OrgRef(uuid.uuid4(), parent_kind, date(2025, 1, 1))
    if (kind, parent_kind) in ALLOWED:
        assert new_organization(org(kind, parent), parent, actor="t").parent_id == parent.id
    else:
        with pytest.raises(RuleError) as err:
            new_organization(org(kind, parent), parent, actor="t")
        assert fields(err.value) == ["parent_id"]
        assert "chỉ được đặt dưới" in err.value.problems[0].vi


def test_a_province_is_a_root_without_parent():
    event = new_organization(org("province", None), None, actor="system")
    assert event.parent_id is None and event.kind == "province"


@pytest.mark.parametrize("kind", KINDS[1:])
def test_every_other_kind_needs_a_parent(kind):
    with pytest.raises(RuleError) as err:
        new_organization(org(kind, None), None, actor="t")
    assert fields(err.value) == ["parent_id"]


def test_an_organization_cannot_start_before_its_parent_exists():
    parent = OrgRef(uuid.uuid4(), "committee", FROM)
    assert new_organization(org("grassroots_cell", parent, FROM), parent, actor="t").effective_from == FROM
    with pytest.raises(RuleError) as err:
        new_organization(org("grassroots_cell", parent, date(2026, 2, 28)), parent, actor="t")
    assert fields(err.value) == ["effective_from"]


def test_unknown_kind_and_blank_name_name_their_fields():
    cmd = NewOrganization(name="  ", kind="club", sector="administrative", effective_from=FROM)
    with pytest.raises(RuleError) as err:
        new_organization(cmd, None, actor="t")
    assert fields(err.value) == ["name", "kind"]


def test_probationary_member_turning_18_on_the_effective_date_is_accepted():
    event = register(member(date(2008, 3, 1)), CELL, today=TODAY, actor="bithu")
    assert event.status == "probationary" and event.organization_id == CELL.id


def test_probationary_member_turning_18_the_day_after_the_effective_date_is_rejected():
    with pytest.raises(RuleError) as err:
        register(member(date(2008, 3, 2)), CELL, today=TODAY, actor="bithu")
    assert fields(err.value) == ["date_of_birth"]
    assert "18 tuổi" in err.value.problems[0].vi and "at least 18" in err.value.problems[0].en


def test_the_admission_age_is_a_parameter():
    born = date(2005, 3, 2)  # 20 on 2026-03-01, 21 the next day
    assert register(member(born), CELL, today=TODAY, actor="t", min_age=20)
    with pytest.raises(RuleError):
        register(member(born), CELL, today=TODAY, actor="t", min_age=21)


def test_official_members_are_not_held_to_the_admission_age_at_registration():
    assert register(member(date(2009, 1, 1), status="official"), CELL, today=TODAY, actor="t").status == "official"


def test_a_date_of_birth_in_the_future_is_rejected_and_today_is_not():
    with pytest.raises(RuleError) as err:
        register(member(date(2026, 3, 16), status="official"), CELL, today=TODAY, actor="t")
    assert fields(err.value) == ["date_of_birth"] and "tương lai" in err.value.problems[0].vi
    assert register(member(TODAY, status="official"), CELL, today=TODAY, actor="t")


@pytest.mark.parametrize("kind", ["province", "committee", "grassroots_committee", "sub_committee"])
def test_members_can_only_be_placed_in_cells(kind):
    with pytest.raises(RuleError) as err:
        register(member(date(1990, 1, 1)), OrgRef(CELL.id, kind, date(2026, 1, 1)), today=TODAY, actor="t")
    assert fields(err.value) == ["organization_id"]


def test_subordinate_cells_take_members():
    cell = OrgRef(uuid.uuid4(), "subordinate_cell", date(2026, 1, 1))
    assert register(member(date(1990, 1, 1)), cell, today=TODAY, actor="t").organization_id == cell.id


def test_a_member_cannot_join_a_cell_before_it_exists():
    with pytest.raises(RuleError) as err:
        register(member(date(1990, 1, 1), effective_from=date(2025, 12, 31)), CELL, today=TODAY, actor="t")
    assert fields(err.value) == ["effective_from"]


@pytest.mark.parametrize("cccd", ["02519000123", "0251900012345", "02519000123a", "025 19000123", "０２５１９０００１２３４"])
def test_a_cccd_that_is_not_exactly_12_digits_is_rejected(cccd):
    with pytest.raises(RuleError) as err:
        register(member(date(1990, 1, 1), cccd=cccd), CELL, today=TODAY, actor="t")
    assert fields(err.value) == ["cccd"]


def test_a_12_digit_cccd_or_none_is_accepted():
    assert register(member(date(1990, 1, 1), cccd="025190001234"), CELL, today=TODAY, actor="t")
    assert register(member(date(1990, 1, 1), cccd=None), CELL, today=TODAY, actor="t")


def test_every_broken_rule_is_reported_at_once():
    cmd = member(date(2027, 1, 1), cccd="123", full_name=" ")
    with pytest.raises(RuleError) as err:
        register(cmd, OrgRef(CELL.id, "committee", date(2026, 1, 1)), today=TODAY, actor="t")
    assert fields(err.value) == ["full_name", "date_of_birth", "organization_id", "cccd"]


def test_age_counts_completed_years_and_a_29_february_birthday_turns_over_on_1_march():
    assert age_on(date(2000, 5, 10), date(2018, 5, 9)) == 17
    assert age_on(date(2000, 5, 10), date(2018, 5, 10)) == 18
    assert age_on(date(2008, 2, 29), date(2026, 2, 28)) == 17
    assert age_on(date(2008, 2, 29), date(2026, 3, 1)) == 18


def test_registration_normalises_spaces_in_the_name_and_keeps_a_given_id():
    given = uuid.uuid4()
    event = register(member(date(1990, 1, 1), full_name="  Trần   Thị  Mai ", id=given), CELL, today=TODAY, actor="t")
    assert event.full_name == "Trần Thị Mai" and event.member_id == given and event.actor == "t"
