"""The calendar rules of the alerts: months added to a ceremony date, working days after the 12-month mark."""
from datetime import date

from reports.alerts import add_months, in_force, working_days_after


def test_twelve_months_after_a_ceremony_is_the_same_day_a_year_later_or_the_months_last_day():
    assert add_months(date(2025, 3, 5), 12) == date(2026, 3, 5)
    assert add_months(date(2024, 2, 29), 12) == date(2025, 2, 28)
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2025, 12, 15), 1) == date(2026, 1, 15)


def test_working_days_after_the_mark_skip_weekends_and_holidays():
    mark = date(2026, 3, 5)  # Thursday
    assert working_days_after(mark, mark) == 0
    assert working_days_after(mark, date(2026, 3, 6)) == 1  # Friday
    assert working_days_after(mark, date(2026, 3, 8)) == 1  # the weekend adds nothing
    assert working_days_after(mark, date(2026, 3, 9)) == 2
    assert working_days_after(mark, date(2026, 4, 16)) == 30
    assert working_days_after(mark, date(2026, 4, 17)) == 31
    holidays = {date(2026, 4, 30), date(2026, 5, 1), date(2026, 5, 2)}  # 2 May is a Saturday: nothing to take off
    assert working_days_after(date(2026, 4, 24), date(2026, 5, 4), holidays) == 4


def test_the_rule_in_force_is_the_latest_version_begun_on_the_day():
    versions = [(date(1930, 2, 3), 30), (date(2027, 1, 1), 20)]
    assert in_force(versions, date(2026, 12, 31)) == 30
    assert in_force(versions, date(2027, 1, 1)) == 20
