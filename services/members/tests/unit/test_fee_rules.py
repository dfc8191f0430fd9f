"""Party-fee rules of QĐ 01-QĐ/TW 2026 at their boundaries (pure, no I/O)."""
from __future__ import annotations

from datetime import date
from decimal import Decimal

from members.fees import (Employment, FeeRules, is_unpaid, monthly_due, needs_removal_review, previous_month_end,
                          round_vnd, rules_for)

RULES = FeeRules(date(2026, 2, 1), Decimal("1"), Decimal("0.5"), 5000, rounding_vnd=1, unpaid_months_for_review=3)


def test_an_insured_member_pays_one_percent_of_the_insured_salary():
    assert monthly_due(Employment(insured_salary_vnd=8_500_000), RULES).amount_vnd == 85_000
    assert monthly_due(Employment(insured_salary_vnd=8_500_000), RULES).basis == "insured_salary"


def test_half_a_dong_rounds_up_and_less_than_half_rounds_down():
    assert monthly_due(Employment(insured_salary_vnd=5_310_450), RULES).amount_vnd == 53_105  # 53,104.5
    assert monthly_due(Employment(insured_salary_vnd=5_310_449), RULES).amount_vnd == 53_104  # 53,104.49


def test_a_rule_set_may_round_to_a_coarser_unit():
    assert round_vnd(Decimal("53104.5"), 1000) == 53_000
    assert round_vnd(Decimal("53500"), 1000) == 54_000


def test_an_uninsured_retiree_pays_half_a_percent_of_the_pension():
    due = monthly_due(Employment(pension_vnd=7_200_000), RULES)
    assert (due.amount_vnd, due.basis) == (36_000, "pension")


def test_a_student_pays_the_flat_five_thousand_and_a_voluntary_extra_is_added():
    assert monthly_due(Employment(is_student=True), RULES).amount_vnd == 5_000
    assert monthly_due(Employment(is_student=True, voluntary_extra_vnd=20_000), RULES).amount_vnd == 25_000
    assert monthly_due(Employment(insured_salary_vnd=10_000_000, voluntary_extra_vnd=50_000), RULES).amount_vnd == 150_000


def test_without_employment_data_or_a_rule_nothing_is_computed_as_due():
    assert monthly_due(None, RULES).basis == "no_rule"
    assert monthly_due(Employment(insured_salary_vnd=8_000_000), None).amount_vnd == 0
    assert monthly_due(Employment(), RULES).amount_vnd == 0


def test_the_rule_set_in_force_is_the_latest_effective_on_the_first_of_the_month():
    later = FeeRules(date(2027, 1, 1), Decimal("1.2"), Decimal("0.5"), 6000)
    assert rules_for(date(2026, 1, 15), [RULES, later]) is None
    assert rules_for(date(2026, 2, 28), [RULES, later]) is RULES
    assert rules_for(date(2026, 12, 31), [RULES, later]) is RULES
    assert rules_for(date(2027, 1, 1), [RULES, later]) is later


def test_the_fee_uses_the_salary_of_the_last_day_of_the_previous_month():
    assert previous_month_end(date(2026, 3, 1)) == date(2026, 2, 28)
    assert previous_month_end(date(2026, 1, 20)) == date(2025, 12, 31)


def test_a_month_is_unpaid_only_when_something_was_due_and_nothing_paid():
    assert is_unpaid(85_000, 0)
    assert not is_unpaid(85_000, 1)
    assert not is_unpaid(0, 0)


def test_two_unpaid_months_do_not_call_for_a_removal_review_and_three_do():
    assert not needs_removal_review(2, RULES)
    assert needs_removal_review(3, RULES)
