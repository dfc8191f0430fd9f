"""The calendar the alerts count in (shared.calendar, the members service's too): months added to a ceremony
date, working days after the 12-month mark."""
from datetime import date, timedelta

from reports.alerts import in_force
from shared.calendar import add_months, add_working_days, public_holidays, working_days_after


def test_twelve_months_after_a_ceremony_is_the_same_day_a_year_later_or_the_months_last_day():
    assert add_months(date(2025, 3, 5), 12) == date(2026, 3, 5)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


def test_working_days_after_the_mark_skip_weekends_and_holidays():
    mark = date(2026, 3, 5)  # Thursday
    assert working_days_after(mark, mark, frozenset()) == 0
    assert working_days_after(mark, date(2026, 3, 6), frozenset()) == 1  # Friday
    assert working_days_after(mark, date(2026, 3, 8), frozenset()) == 1  # the weekend adds nothing
    assert working_days_after(mark, date(2026, 3, 9), frozenset()) == 2
    assert working_days_after(mark, date(2026, 4, 16), frozenset()) == 30
    assert working_days_after(mark, date(2026, 4, 17), frozenset()) == 31
    holidays = frozenset({date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 2)})  # 2 May is a Saturday: nothing to take off
    assert working_days_after(date(2026, 4, 24), date(2026, 5, 4), holidays) == 4


def test_the_last_day_of_n_working_days_is_the_first_day_n_have_passed():
    # one calendar: the members service's deadline (add_working_days) and the reports' count agree on it
    for mark in (date(2026, 3, 5), date(2026, 4, 24), date(2026, 2, 13), date(2025, 12, 31)):
        for n in (1, 5, 30, 60):
            deadline = add_working_days(mark, n, public_holidays())
            assert working_days_after(mark, deadline, public_holidays()) == n
            assert working_days_after(mark, deadline - timedelta(days=1), public_holidays()) == n - 1


def test_tet_2026_in_the_dataset_is_skipped():
    # Fri 13 Feb 2026 + 1 working day: the weekend and Tết (16-20 February) are skipped
    assert add_working_days(date(2026, 2, 13), 1, public_holidays()) == date(2026, 2, 23)


def test_the_rule_in_force_is_the_latest_version_begun_on_the_day():
    versions = [(date(1930, 2, 3), 30), (date(2027, 1, 1), 20)]
    assert in_force(versions, date(2026, 12, 31)) == 30
    assert in_force(versions, date(2027, 1, 1)) == 20
