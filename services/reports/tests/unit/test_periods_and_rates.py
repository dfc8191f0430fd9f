from datetime import date

import pytest

from reports.periods import PeriodError, parse_period, period_label_vi, periods_of
from reports.queries import attendance_rate


def test_a_day_counts_in_its_month_quarter_and_year():
    assert periods_of(date(2026, 11, 22)) == ("2026-11", "2026-Q4", "2026")


@pytest.mark.parametrize("text", ["2026-13", "2026-Q5", "26-03", "2026-3", "march", "", "2026-03-01"])
def test_a_malformed_period_is_rejected(text):
    with pytest.raises(PeriodError):
        parse_period(text)


def test_periods_are_normalised_and_labelled_in_vietnamese():
    assert parse_period(" 2026-q1 ") == "2026-Q1"
    assert [period_label_vi(p) for p in ("2026-03", "2026-Q4", "2026")] == ["Tháng 3/2026", "Quý IV/2026", "Năm 2026"]


def test_attendance_rate_is_a_percentage_rounded_half_up_to_one_decimal():
    assert attendance_rate(945, 1185) == 79.7  # the Tuyên Quang figure printed as 79.8
    assert attendance_rate(1, 16) == 6.3  # 6.25: half up, not to even
    assert attendance_rate(0, 0) is None
