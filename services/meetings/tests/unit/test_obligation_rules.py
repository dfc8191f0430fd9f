"""Periods of the required meetings and which cells an obligation binds (pure)."""
from __future__ import annotations

from datetime import date

import pytest

from meetings.obligation_rules import Period, binds, check_until, closable_periods, period_containing

COMMITTEE = {"obligation": "committee", "applies_to": "cells_with_committee", "committee_min_official_members": 9}


@pytest.mark.parametrize("kind, day, period", [
    ("month", date(2026, 2, 28), Period(date(2026, 2, 1), date(2026, 2, 28))),
    ("month", date(2028, 2, 29), Period(date(2028, 2, 1), date(2028, 2, 29))),
    ("quarter", date(2026, 3, 31), Period(date(2026, 1, 1), date(2026, 3, 31))),
    ("quarter", date(2026, 4, 1), Period(date(2026, 4, 1), date(2026, 6, 30))),
    ("quarter", date(2026, 12, 31), Period(date(2026, 10, 1), date(2026, 12, 31))),
])
def test_a_day_falls_in_its_month_or_quarter(kind, day, period):
    assert period_containing(kind, day) == period


def test_a_period_closes_on_its_last_day_and_not_the_day_before():
    assert [p.end for p in closable_periods("month", date(2026, 1, 1), date(2026, 3, 30))] == [
        date(2026, 1, 31), date(2026, 2, 28)]
    assert closable_periods("month", date(2026, 1, 1), date(2026, 3, 31))[-1].end == date(2026, 3, 31)
    assert closable_periods("quarter", date(2026, 1, 1), date(2026, 3, 30)) == []
    assert closable_periods("quarter", date(2026, 1, 1), date(2026, 3, 31)) == [Period(date(2026, 1, 1),
                                                                                       date(2026, 3, 31))]


def test_a_cell_created_in_the_middle_of_a_period_owes_nothing_for_it():
    assert closable_periods("month", date(2026, 1, 2), date(2026, 2, 28)) == [Period(date(2026, 2, 1),
                                                                                     date(2026, 2, 28))]
    assert closable_periods("quarter", date(2026, 1, 2), date(2026, 6, 30))[0].start == date(2026, 4, 1)


def test_a_rule_that_ended_closes_no_later_period():
    assert len(closable_periods("month", date(2026, 1, 1), date(2026, 6, 30), effective_to=date(2026, 3, 15))) == 3


@pytest.mark.parametrize("flag, official, bound", [(None, 8, False), (None, 9, True), (True, 3, True),
                                                    (False, 20, False)])
def test_the_committee_obligation_binds_by_flag_or_else_by_nine_official_members(flag, official, bound):
    assert binds(COMMITTEE, flag, official) is bound


def test_every_cell_owes_its_regular_meeting():
    assert binds({"applies_to": "every_cell"}, False, 0) is True


def test_a_period_ending_today_cannot_be_closed_yet():
    assert check_until(date(2026, 3, 31), date(2026, 3, 31)) == "until"
    assert check_until(date(2026, 3, 31), date(2026, 4, 1)) is None


@pytest.mark.parametrize("ceased_from, last_month_owed", [
    (date(2026, 3, 31), date(2026, 2, 28)),  # gone on the last day of March: it did not exist all of March
    (date(2026, 4, 1), date(2026, 3, 31)),  # gone from the first day of April: March owed, April not
])
def test_a_dissolved_cell_owes_only_periods_that_end_before_its_dissolution(ceased_from, last_month_owed):
    periods = closable_periods("month", date(2026, 1, 1), date(2026, 6, 30), ceased_from=ceased_from)
    assert periods[-1].end == last_month_owed
    quarters = closable_periods("quarter", date(2026, 1, 1), date(2026, 6, 30), ceased_from=ceased_from)
    assert [q.end for q in quarters] == ([date(2026, 3, 31)] if ceased_from == date(2026, 4, 1) else [])
