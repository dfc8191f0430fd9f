"""Pure party-fee rules (QĐ 01-QĐ/TW 3/2/2026, domain.md §4). No I/O.

The rates are data (a ``FeeRules`` row of the effective-dated ``fee_rule_set``
table, seeded by migration 0002_finance); this module only applies them.

Rounding: an amount is computed in whole đồng, rounded half up to a multiple
of ``rounding_vnd`` (seeded 1: 53,104.5 → 53,105; 53,104.49 → 53,104).
"""
from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

BASES = ("insured_salary", "pension", "student", "no_rule")


@dataclass(frozen=True)
class FeeRules:
    """One version of the rate table."""

    effective_from: date
    insured_rate_percent: Decimal  # 1 % of the previous month's insured salary
    pension_rate_percent: Decimal  # 0.5 % of the pension (retirees without social insurance)
    student_flat_vnd: int  # 5,000 VND a month
    rounding_vnd: int = 1
    unpaid_months_for_review: int = 3  # unpaid months in one calendar year that raise a removal review
    source: str = ""


@dataclass(frozen=True)
class Employment:
    """What the fee depends on, as in force on the last day of the previous month."""

    insured_salary_vnd: int | None = None
    pension_vnd: int | None = None
    is_student: bool = False
    voluntary_extra_vnd: int = 0


@dataclass(frozen=True)
class Due:
    amount_vnd: int
    basis: str  # one of BASES


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def previous_month_end(month: date) -> date:
    """The last day of the month before ``month`` (whose salary the fee is computed from)."""
    return first_of_month(month) - timedelta(days=1)


def rules_for(month: date, versions: list[FeeRules]) -> FeeRules | None:
    """The version in force on the first day of ``month`` (the latest ``effective_from`` not after it)."""
    day = first_of_month(month)
    candidates = [v for v in versions if v.effective_from <= day]
    return max(candidates, key=lambda v: v.effective_from) if candidates else None


def round_vnd(amount: Decimal, unit: int) -> int:
    unit_d = Decimal(unit)
    return int((amount / unit_d).quantize(Decimal(1), rounding=ROUND_HALF_UP) * unit_d)


def monthly_due(employment: Employment | None, rules: FeeRules | None) -> Due:
    """A member's monthly fee: insured salary first, then pension, then the student flat rate; plus any
    voluntary extra. Without data or without a rule (other uninsured members: no 2026 rate found) → 0, ``no_rule``."""
    if rules is None or employment is None:
        return Due(0, "no_rule")
    extra = max(employment.voluntary_extra_vnd or 0, 0)
    if employment.insured_salary_vnd:
        base = round_vnd(Decimal(employment.insured_salary_vnd) * rules.insured_rate_percent / 100, rules.rounding_vnd)
        return Due(base + extra, "insured_salary")
    if employment.pension_vnd:
        base = round_vnd(Decimal(employment.pension_vnd) * rules.pension_rate_percent / 100, rules.rounding_vnd)
        return Due(base + extra, "pension")
    if employment.is_student:
        return Due(rules.student_flat_vnd + extra, "student")
    return Due(extra, "no_rule")


def is_unpaid(due_vnd: int, paid_vnd: int) -> bool:
    """A month counts as unpaid when something was due and nothing was paid (a partial payment is arrears,
    not a month of non-payment)."""
    return due_vnd > 0 and paid_vnd <= 0


def needs_removal_review(unpaid_months_in_year: int, rules: FeeRules) -> bool:
    return unpaid_months_in_year >= rules.unpaid_months_for_review
