"""Pure lifecycle and tree rules at their boundaries: the day before and the day of each milestone and deadline."""
from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from members import domain
from members.domain import Admission, MemberState, OrgRef, OrgState, Readmission, RuleError
from shared.calendar import add_months, add_working_days
from members.rules import rules_on
from shared.events import StatisticalProfile

RULES = rules_on(date(2026, 1, 1))
TODAY = date(2026, 11, 20)
CELL = OrgRef(uuid.uuid4(), "grassroots_cell", date(2000, 1, 1))
OTHER_CELL = OrgRef(uuid.uuid4(), "subordinate_cell", date(2000, 1, 1))
DAY = timedelta(days=1)


def fields(err) -> list[str]:
    return [p.field for p in err.value.problems]


def state(status="official", **kw) -> MemberState:
    profile = StatisticalProfile(sex="male", date_of_birth=date(1980, 5, 10),
                                 party_age_start=kw.pop("party_age_start", date(2005, 3, 1)))
    values = dict(id=uuid.uuid4(), full_name="Nguyễn Văn An", status=status, organization_id=CELL.id,
                  profile=profile, placed_from=date(2010, 1, 1), admission_decision_date=date(2005, 3, 1),
                  admission_ceremony_date=date(2005, 3, 20), official_date=date(2006, 3, 20))
    return MemberState(**{**values, **kw})


def probationer(ceremony=date(2025, 3, 31)) -> MemberState:
    return state("probationary", admission_ceremony_date=ceremony, official_date=None, placed_from=ceremony)


# --- calendar -----------------------------------------------------------------

def test_working_days_skip_weekends_and_the_public_holidays_in_the_data():
    # Fri 24/4/2026 + 1 working day: Sat, Sun, Mon 27/4 (Hùng Kings, observed) skipped -> Tue 28/4
    assert add_working_days(date(2026, 4, 24), 1, RULES.holidays) == date(2026, 4, 28)
    assert add_working_days(date(2026, 4, 24), 1, frozenset()) == date(2026, 4, 27)
    assert add_working_days(date(2026, 3, 2), 5, RULES.holidays) == date(2026, 3, 9)


def test_a_period_in_months_ends_on_the_last_day_of_a_month_that_lacks_the_day():
    # Bộ luật Dân sự 2015 Art. 148(3): the corresponding day, else the month's last day
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 3, 31), 12) == date(2026, 3, 31)
    assert add_months(date(2026, 3, 31), -1) == date(2026, 2, 28)


# --- admission ----------------------------------------------------------------

def admission(born: date, considered=date(2026, 6, 1), **kw) -> Admission:
    values = dict(full_name="Trần Thị Mai", sex="female", date_of_birth=born, organization_id=CELL.id,
                  considered_on=considered, decision_date=date(2026, 6, 15), ceremony_date=date(2026, 7, 1))
    return Admission(**{**values, **kw})


def test_an_applicant_is_admitted_on_the_day_of_the_18th_birthday_not_the_day_before():
    event = domain.admit(admission(date(2008, 6, 1)), CELL, RULES, today=TODAY, actor="t")
    assert event.effective_from == date(2026, 7, 1) and event.profile.party_age_start == date(2026, 6, 15)
    assert not event.readmission
    with pytest.raises(RuleError) as err:
        domain.admit(admission(date(2008, 6, 2)), CELL, RULES, today=TODAY, actor="t")
    assert fields(err) == ["date_of_birth"] and "18 tuổi" in err.value.problems[0].vi


def test_over_sixty_in_months_needs_the_provincial_decision_flag():
    sixty_exactly = date(1966, 6, 1)  # 720 months on 1/6/2026
    assert domain.admit(admission(sixty_exactly), CELL, RULES, today=TODAY, actor="t")
    sixty_and_a_month = date(1966, 5, 1)  # 721 months
    with pytest.raises(RuleError) as err:
        domain.admit(admission(sixty_and_a_month), CELL, RULES, today=TODAY, actor="t")
    assert fields(err) == ["provincial_decision"] and "cấp tỉnh" in err.value.problems[0].vi
    assert domain.admit(admission(sixty_and_a_month, provincial_decision=True), CELL, RULES, today=TODAY, actor="t")


def test_admission_dates_run_consideration_then_decision_then_ceremony_in_a_cell():
    with pytest.raises(RuleError) as err:
        domain.admit(admission(date(1990, 1, 1), decision_date=date(2026, 5, 31), ceremony_date=date(2026, 5, 30)),
                     OrgRef(CELL.id, "committee", date(2000, 1, 1)), RULES, today=TODAY, actor="t")
    assert fields(err) == ["decision_date", "ceremony_date", "organization_id"]


def test_an_admission_into_a_dissolved_cell_is_refused():
    dissolved = replace(CELL, dissolved_on=date(2026, 7, 1))
    with pytest.raises(RuleError) as err:
        domain.admit(admission(date(1990, 1, 1)), dissolved, RULES, today=TODAY, actor="t")
    assert fields(err) == ["organization_id"] and "giải thể" in err.value.problems[0].vi


# --- probation -> official --------------------------------------------------------

def test_a_member_cannot_be_made_official_before_twelve_months():
    member = probationer(date(2025, 3, 31))
    with pytest.raises(RuleError) as err:
        domain.make_official(member, date(2026, 3, 30), RULES, today=TODAY, actor="t")
    assert fields(err) == ["decision_date"] and "31/03/2026" in err.value.problems[0].vi
    event, warnings = domain.make_official(member, date(2026, 3, 31), RULES, today=TODAY, actor="t")
    assert event.effective_from == date(2026, 3, 31) and warnings == []


def test_official_status_is_effective_at_the_twelve_month_mark_even_when_decided_late():
    member = probationer(date(2025, 3, 31))
    due = domain.probation_due(member, TODAY, RULES)
    assert due.due_on == date(2026, 3, 31)
    # 30 working days from Tue 31/3/2026, skipping weekends and 27/4, 30/4, 1/5
    assert due.decide_by == date(2026, 5, 15)
    event, warnings = domain.make_official(member, due.decide_by, RULES, today=TODAY, actor="t")
    assert event.effective_from == date(2026, 3, 31) and warnings == []
    event, warnings = domain.make_official(member, due.decide_by + DAY, RULES, today=TODAY, actor="t")
    assert event.effective_from == date(2026, 3, 31) and event.decision_date == date(2026, 5, 16)
    assert [w.field for w in warnings] == ["decision_date"] and "giải trình" in warnings[0].vi


def test_the_due_list_flags_overdue_only_after_the_thirtieth_working_day():
    member = probationer(date(2025, 3, 31))
    assert not domain.probation_due(member, date(2026, 5, 15), RULES).overdue
    assert domain.probation_due(member, date(2026, 5, 16), RULES).overdue


def test_only_a_probationary_member_can_be_made_official_or_refused():
    with pytest.raises(RuleError) as err:
        domain.make_official(state("official"), date(2026, 1, 1), RULES, today=TODAY, actor="t")
    assert fields(err) == ["status"] and "chính thức" in err.value.problems[0].vi
    with pytest.raises(RuleError):
        domain.refuse_official(state("ended"), date(2026, 1, 1), today=TODAY, actor="t")
    event = domain.refuse_official(probationer(), date(2026, 4, 10), today=TODAY, actor="t")
    assert event.reason == "probation_not_recognized" and event.effective_from == date(2026, 4, 10)


# --- transfers --------------------------------------------------------------------

def test_a_letter_on_the_sixtieth_working_day_after_the_move_is_on_time_the_next_is_late():
    moved = date(2026, 6, 1)
    deadline = add_working_days(moved, 60, RULES.holidays)
    assert deadline == date(2026, 8, 24)  # 21 working days left in June, 23 in July, 16 in August
    event, warnings = domain.issue_transfer(state(), OTHER_CELL, None, moved, deadline, RULES, today=TODAY,
                                            target_given=True, actor="t")
    assert event is None and warnings == []
    _, warnings = domain.issue_transfer(state(), OTHER_CELL, None, moved, deadline + DAY, RULES, today=TODAY,
                                        target_given=True, actor="t")
    assert [w.field for w in warnings] == ["letter_issued_on"]


def test_a_letter_presented_after_thirty_working_days_is_accepted_with_a_warning():
    pending = replace(state(), pending_transfer=True)
    issued = date(2026, 8, 3)
    deadline = domain.presentation_deadline(issued, RULES)
    assert deadline == date(2026, 9, 16)  # 1 and 2 September are holidays
    event, warnings = domain.receive_transfer(pending, OTHER_CELL, issued, deadline, RULES, today=TODAY, actor="t")
    assert event.to_organization_id == OTHER_CELL.id and event.effective_from == deadline and warnings == []
    _, warnings = domain.receive_transfer(pending, OTHER_CELL, issued, deadline + DAY, RULES, today=TODAY, actor="t")
    assert [w.field for w in warnings] == ["received_on"] and "giải trình" in warnings[0].vi


def test_a_transfer_to_a_dissolved_organization_is_refused_from_its_dissolution_date():
    dissolved = replace(OTHER_CELL, dissolved_on=date(2026, 9, 1))
    event, _ = domain.issue_transfer(state(), dissolved, None, None, date(2026, 8, 31), RULES, today=TODAY,
                                     target_given=True, actor="t")
    assert event is None
    with pytest.raises(RuleError) as err:
        domain.issue_transfer(state(), dissolved, None, None, date(2026, 9, 1), RULES, today=TODAY,
                              target_given=True, actor="t")
    assert fields(err) == ["to_organization_id"] and "giải thể" in err.value.problems[0].vi


def test_a_transfer_out_of_the_province_leaves_at_once_with_its_destination():
    event, _ = domain.issue_transfer(state(), None, "Đảng bộ tỉnh Tuyên Quang", None, date(2026, 8, 3), RULES,
                                     today=TODAY, target_given=False, actor="t")
    assert event.to_organization_id is None and event.destination == "Đảng bộ tỉnh Tuyên Quang"
    with pytest.raises(RuleError) as err:
        domain.issue_transfer(state(), OTHER_CELL, "Tuyên Quang", None, date(2026, 8, 3), RULES, today=TODAY,
                              target_given=True, actor="t")
    assert fields(err) == ["to_organization_id"]


@pytest.mark.parametrize("until,study,ok", [
    (date(2026, 4, 30), False, False),  # a day short of 3 months
    (date(2026, 5, 1), False, True),  # 3 months
    (date(2027, 1, 31), False, True),  # under a year
    (date(2027, 2, 1), False, False),  # a full year: an official transfer instead
    (date(2028, 2, 1), True, True),  # study: 2 years
    (date(2028, 2, 2), True, False),
])
def test_a_temporary_transfer_lasts_three_months_to_under_a_year(until, study, ok):
    def call():
        return domain.temporary_transfer(state(), OTHER_CELL, True, None, date(2026, 2, 1), until, study, RULES,
                                         actor="t")
    if ok:
        event = call()
        assert event.host_organization_id == OTHER_CELL.id and event.home_organization_id == CELL.id
    else:
        with pytest.raises(RuleError) as err:
            call()
        assert fields(err) == ["until"]


def test_a_member_away_on_a_temporary_transfer_cannot_start_another_until_it_ends():
    away = replace(state(), temporary_from=date(2026, 2, 1))
    with pytest.raises(RuleError) as err:
        domain.temporary_transfer(away, OTHER_CELL, True, None, date(2026, 3, 1), date(2026, 7, 1), False, RULES,
                                  actor="t")
    assert fields(err) == ["status"]
    with pytest.raises(RuleError):
        domain.end_temporary_transfer(away, date(2026, 1, 31), actor="t")
    assert domain.end_temporary_transfer(away, date(2026, 2, 1), actor="t").effective_from == date(2026, 2, 1)


# --- cards ------------------------------------------------------------------------

def test_a_party_card_goes_to_official_members_only_first_then_replacements():
    with pytest.raises(RuleError) as err:
        domain.issue_card(probationer(), "01234567", date(2026, 5, 1), False, today=TODAY, actor="t")
    assert fields(err) == ["status"]
    assert not domain.issue_card(state(), "01234567", date(2026, 5, 1), False, today=TODAY, actor="t").replacement
    with pytest.raises(RuleError) as err:
        domain.issue_card(state(), "01234567", date(2026, 5, 1), True, today=TODAY, actor="t")
    assert fields(err) == ["replacement"]
    carded = replace(state(), card_number="01234567")
    assert domain.issue_card(carded, "07654321", date(2026, 5, 1), True, today=TODAY, actor="t").replacement
    with pytest.raises(RuleError):
        domain.issue_card(carded, "07654321", date(2026, 5, 1), False, today=TODAY, actor="t")


# --- party age and badges ---------------------------------------------------------

def test_party_age_runs_from_the_decision_date_less_the_gaps():
    start = date(1990, 9, 2)
    assert domain.party_age(start, (), date(2020, 9, 1)) == (29, 11)
    assert domain.party_age(start, (), date(2020, 9, 2)) == (30, 0)
    gap = ((date(2000, 1, 1), date(2000, 1, 11)),)  # ten days away
    assert domain.milestone_date(start, gap, 30) == date(2020, 9, 12)
    assert domain.party_age(start, gap, date(2020, 9, 11)) == (29, 11)
    assert domain.party_age(start, gap, date(2020, 9, 12)) == (30, 0)


def test_a_badge_is_awarded_on_an_award_date_once_the_party_age_is_reached():
    member = state(party_age_start=date(1996, 9, 2))  # 30 years on 2/9/2026
    assert domain.award_badge(member, 30, date(2026, 9, 2), False, RULES, today=TODAY, actor="t").years == 30
    early = state(party_age_start=date(1996, 9, 3))  # 30 years on 3/9/2026
    with pytest.raises(RuleError) as err:
        domain.award_badge(early, 30, date(2026, 9, 2), False, RULES, today=TODAY, actor="t")
    assert fields(err) == ["years"] and "03/09/2026" in err.value.problems[0].vi
    with pytest.raises(RuleError) as err:
        domain.award_badge(member, 30, date(2026, 9, 3), False, RULES, today=TODAY, actor="t")
    assert fields(err) == ["awarded_on"]


def test_serious_illness_allows_twelve_months_early_up_to_65_years_and_24_from_70():
    on = date(2026, 9, 2)
    twelve_early = state(party_age_start=date(1997, 9, 2))  # 30 years on 2/9/2027
    assert domain.award_badge(twelve_early, 30, on, True, RULES, today=TODAY, actor="t")
    with pytest.raises(RuleError):
        domain.award_badge(state(party_age_start=date(1997, 9, 3)), 30, on, True, RULES, today=TODAY, actor="t")
    with pytest.raises(RuleError):  # not ill: no early award
        domain.award_badge(twelve_early, 30, on, False, RULES, today=TODAY, actor="t")
    seventy = state(party_age_start=date(1958, 9, 2), badges=(30, 40, 45, 50, 55, 60, 65))  # 70 on 2/9/2028
    assert domain.award_badge(seventy, 70, on, True, RULES, today=TODAY, actor="t").years == 70
    with pytest.raises(RuleError):
        domain.award_badge(replace(seventy, profile=seventy.profile.model_copy(
            update={"party_age_start": date(1958, 9, 3)})), 70, on, True, RULES, today=TODAY, actor="t")


def test_a_badge_already_awarded_or_below_one_awarded_is_refused():
    member = state(party_age_start=date(1980, 1, 1), badges=(40,))
    with pytest.raises(RuleError) as err:
        domain.award_badge(member, 30, date(2026, 9, 2), False, RULES, today=TODAY, actor="t")
    assert fields(err) == ["years"]
    with pytest.raises(RuleError) as err:
        domain.award_badge(member, 35, date(2026, 9, 2), False, RULES, today=TODAY, actor="t")
    assert fields(err) == ["years"]


def test_the_next_award_date_and_the_badges_due_by_it():
    assert RULES.next_award_date(date(2026, 9, 2)) == date(2026, 9, 2)
    assert RULES.next_award_date(date(2026, 9, 3)) == date(2026, 11, 7)
    assert RULES.next_award_date(date(2026, 11, 8)) == date(2027, 2, 3)
    award = date(2026, 11, 7)
    due = domain.next_badge(state(party_age_start=date(1996, 11, 7)), award, RULES)
    assert (due.years, due.early) == (30, False)
    early = domain.next_badge(state(party_age_start=date(1996, 11, 8)), award, RULES)
    assert (early.years, early.early) == (30, True)  # only with the serious-illness rule
    assert domain.next_badge(state(party_age_start=date(1997, 11, 8)), award, RULES) is None
    assert domain.next_badge(probationer(), award, RULES) is None


def test_a_member_never_awarded_is_due_the_highest_badge_reached_not_the_first():
    award = date(2026, 11, 7)
    due = domain.next_badge(state(party_age_start=date(1981, 11, 7)), award, RULES)  # 45 years that day
    assert (due.years, due.early) == (45, False)
    due = domain.next_badge(state(party_age_start=date(1981, 11, 8), badges=(30,)), award, RULES)
    assert (due.years, due.early) == (40, False)  # 45 is a day away: the reached 40 comes first


# --- exemption, leaving, readmission -------------------------------------------

def test_exemption_starts_once_and_ends_after_it_started():
    event = domain.exempt(state(), date(2026, 3, 1), " Ốm dài ngày ", today=TODAY, actor="t")
    assert event.reason == "Ốm dài ngày"
    exempt = replace(state(), exempt_since=date(2026, 3, 1))
    with pytest.raises(RuleError):
        domain.exempt(exempt, date(2026, 4, 1), None, today=TODAY, actor="t")
    with pytest.raises(RuleError) as err:
        domain.end_exemption(exempt, date(2026, 3, 1), today=TODAY, actor="t")
    assert fields(err) == ["effective_from"]
    assert domain.end_exemption(exempt, date(2026, 3, 2), today=TODAY, actor="t").effective_from == date(2026, 3, 2)


@pytest.mark.parametrize("command", [
    lambda s: domain.make_official(s, TODAY, RULES, today=TODAY, actor="t"),
    lambda s: domain.issue_transfer(s, OTHER_CELL, None, None, TODAY, RULES, today=TODAY, target_given=True,
                                    actor="t"),
    lambda s: domain.exempt(s, TODAY, None, today=TODAY, actor="t"),
    lambda s: domain.issue_card(s, "01234567", TODAY, False, today=TODAY, actor="t"),
    lambda s: domain.end_membership(s, "removed", TODAY, TODAY, None, today=TODAY, actor="t"),
])
def test_a_member_who_left_cannot_be_the_subject_of_a_lifecycle_command(command):
    with pytest.raises(RuleError) as err:
        command(state("ended", ended_on=date(2025, 1, 1), end_reason="removed"))
    assert fields(err) == ["status"]


def test_removal_expulsion_and_exit_need_a_decision_date_death_does_not():
    with pytest.raises(RuleError) as err:
        domain.end_membership(state(), "expelled", None, date(2026, 5, 1), "corruption", today=TODAY, actor="t")
    assert fields(err) == ["decision_date"]
    assert domain.end_membership(state(), "deceased", None, date(2026, 5, 1), None, today=TODAY,
                                 actor="t").reason == "deceased"


def left(reason="removed", cause=None, on=date(2022, 6, 1), **kw) -> MemberState:
    return state("ended", ended_on=on, end_reason=reason, end_cause=cause, gaps=((on, None),), **kw)


def readmission(considered: date) -> Readmission:
    return Readmission(organization_id=CELL.id, considered_on=considered, decision_date=considered + DAY,
                       ceremony_date=considered + 10 * DAY)


def test_readmission_is_possible_36_months_after_leaving_not_a_day_before():
    with pytest.raises(RuleError) as err:
        domain.readmit(left(), readmission(date(2025, 5, 31)), CELL, RULES, today=TODAY, actor="t")
    assert fields(err) == ["considered_on"]
    event = domain.readmit(left(), readmission(date(2025, 6, 1)), CELL, RULES, today=TODAY, actor="t")
    assert event.readmission and event.effective_from == date(2025, 6, 11)
    assert event.profile.party_age_start == date(2005, 3, 1)  # still the first decision


@pytest.mark.parametrize("member,why", [
    (left(readmissions=1), "một lần"),
    (left("expelled", "corruption"), "lý do"),
    (left("exited", "resigned"), "lý do"),
    (left("deceased"), "từ trần"),
])
def test_readmission_is_refused_twice_after_listed_causes_and_after_death(member, why):
    with pytest.raises(RuleError) as err:
        domain.readmit(member, readmission(date(2026, 1, 5)), CELL, RULES, today=TODAY, actor="t")
    assert any(why in p.vi for p in err.value.problems)


def test_an_expelled_member_for_another_cause_may_be_readmitted():
    assert domain.readmit(left("expelled", "other"), readmission(date(2026, 1, 5)), CELL, RULES, today=TODAY,
                          actor="t").readmission


# --- profile ------------------------------------------------------------------

def test_profile_changes_list_only_real_changes_and_check_cccd_and_birth_date():
    current = {"full_name": "Nguyễn Văn An", "sex": "male", "date_of_birth": date(1980, 5, 10), "cccd": None,
               "ethnicity": "Kinh"}
    assert domain.profile_changes(current, {"ethnicity": "Tày", "full_name": "Nguyễn  Văn An"}, TODAY) == {
        "ethnicity": ("Kinh", "Tày")}
    with pytest.raises(RuleError) as err:
        domain.profile_changes(current, {"cccd": "12345678901", "date_of_birth": TODAY + DAY}, TODAY)
    assert fields(err) == ["date_of_birth", "cccd"]
    with pytest.raises(RuleError) as err:
        domain.profile_changes(current, {"status": "official"}, TODAY)
    assert fields(err) == ["status"]


# --- the organization tree -------------------------------------------------------

def org_state(kind="grassroots_cell", **kw) -> OrgState:
    values = dict(id=uuid.uuid4(), name="Chi bộ Sở Tài chính", kind=kind, sector="administrative", cluster=None,
                  created_on=date(2020, 1, 1), dissolved_on=None,
                  parent=OrgRef(uuid.uuid4(), "committee", date(2020, 1, 1)), last_change=date(2020, 1, 1))
    return OrgState(**{**values, **kw})


def test_a_tree_change_must_come_after_the_latest_recorded_one():
    org = org_state(last_change=date(2025, 2, 10))
    with pytest.raises(RuleError) as err:
        domain.rename_organization(org, "Chi bộ Sở Tài chính mới", date(2025, 2, 10), actor="t")
    assert fields(err) == ["effective_from"]
    assert domain.rename_organization(org, "Chi bộ Sở Tài chính mới", date(2025, 2, 11), actor="t").name


def test_an_organization_cannot_move_under_its_own_subtree_or_under_a_wrong_kind():
    org = org_state("grassroots_committee")
    target = OrgRef(uuid.uuid4(), "sub_committee", date(2020, 1, 1))
    with pytest.raises(RuleError) as err:
        domain.move_organization(org, target, date(2025, 3, 1), under_itself=True, actor="t")
    assert fields(err) == ["parent_id"]
    with pytest.raises(RuleError) as err:
        domain.move_organization(org, OrgRef(uuid.uuid4(), "grassroots_cell", date(2020, 1, 1)), date(2025, 3, 1),
                                 under_itself=False, actor="t")
    assert fields(err) == ["parent_id"]


def test_a_cell_with_members_cannot_be_reclassified_as_a_committee():
    with pytest.raises(RuleError) as err:
        domain.reclassify_organization(org_state(member_count=3), "grassroots_committee", "administrative", None,
                                       date(2025, 3, 1), actor="t")
    assert fields(err) == ["kind"]
    event = domain.reclassify_organization(org_state(), "grassroots_cell", "school", "Cụm 2", date(2025, 3, 1),
                                           actor="t")
    assert (event.sector, event.cluster) == ("school", "Cụm 2")


def test_dissolving_needs_an_empty_organization_unless_it_is_a_merge():
    full = org_state("committee", child_kinds=("grassroots_cell",))
    with pytest.raises(RuleError) as err:
        domain.dissolve_organization(full, date(2025, 3, 1), actor="t")
    assert fields(err) == ["organization_id"]
    target = OrgRef(uuid.uuid4(), "committee", date(2020, 1, 1))
    assert domain.dissolve_organization(full, date(2025, 3, 1), merged_into=target, actor="t").merged_into_id
    with pytest.raises(RuleError) as err:
        domain.dissolve_organization(org_state(member_count=4), date(2025, 3, 1), actor="t",
                                     merged_into=OrgRef(uuid.uuid4(), "committee", date(2020, 1, 1)))
    assert fields(err) == ["merged_into_id"]


@pytest.mark.parametrize("kind,official,rules", [
    ("grassroots_cell", 2, ["grassroots_min_official"]),
    ("grassroots_cell", 3, []),
    ("grassroots_cell", 8, []),
    ("grassroots_cell", 9, ["cell_committee"]),
    ("grassroots_cell", 29, ["cell_committee"]),
    ("grassroots_cell", 30, ["cell_above_threshold", "cell_committee"]),
    ("grassroots_committee", 29, ["committee_below_threshold"]),
    ("grassroots_committee", 30, []),
    ("subordinate_cell", 2, []),
    ("subordinate_cell", 9, ["cell_committee"]),
])
def test_structure_rules_are_warnings_at_their_thresholds(kind, official, rules):
    assert [w.rule for w in domain.structure_warnings(uuid.uuid4(), kind, official, RULES)] == rules
