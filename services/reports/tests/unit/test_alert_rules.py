"""The calendar the alerts count in (shared.calendar, the members service's too): months added to a ceremony
date, working days after the 12-month mark."""
from datetime import date, timedelta

from reports.alerts import in_force
from shared.calendar import add_months, add_working_days, public_holidays, working_days_after
from reports.report_alerts import latest_admission_due


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


def test_the_overdue_probations_read_only_admissions_whose_twelve_month_mark_is_before_the_day():
    twelve = [(date(1930, 2, 3), 12)]
    assert latest_admission_due(twelve, date(2026, 3, 5)) == date(2025, 3, 4)  # 5 March 2025: mark on the day itself
    assert latest_admission_due(twelve, date(2026, 3, 6)) == date(2025, 3, 5)
    # 29, 30 and 31 January reach their one-month mark on 28 February: all before 1 March
    assert latest_admission_due([(date(1930, 2, 3), 1)], date(2025, 3, 1)) == date(2025, 1, 31)
    assert latest_admission_due([(date(1930, 2, 3), 1)], date(2025, 2, 28)) == date(2025, 1, 27)
    # with two versions in force at different times, the shorter one bounds every admission
    assert latest_admission_due([(date(1930, 2, 3), 18), (date(2027, 1, 1), 12)], date(2026, 3, 5)) == date(2025, 3, 4)


def test_no_admission_after_that_day_reaches_its_mark_before_the_day_whatever_the_version_in_force():
    versions = [(date(1930, 2, 3), 12), (date(2024, 7, 1), 9), (date(2025, 1, 1), 14)]
    for on in (date(2025, 1, 1) + timedelta(days=n) for n in range(0, 800, 3)):
        last = latest_admission_due(versions, on)
        assert last < on and add_months(last, 9) < on
        for since in (last + timedelta(days=n) for n in range(1, 400)):
            assert add_months(since, in_force(versions, since)) >= on, (on, since)


def test_working_days_counted_at_once_equal_those_stepped_through_day_by_day():
    holidays, day = public_holidays(), date(2024, 12, 20)
    for offset in range(0, 500, 7):
        mark = day + timedelta(days=offset)
        for span in (0, 1, 3, 9, 40, 130, 400):
            until = mark + timedelta(days=span)
            stepped = sum(1 for n in range(1, span + 1) if (mark + timedelta(days=n)).weekday() < 5
                          and mark + timedelta(days=n) not in holidays)
            assert working_days_after(mark, until, holidays) == stepped, (mark, until)
