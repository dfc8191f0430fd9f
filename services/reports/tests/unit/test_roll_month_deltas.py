"""The pure month deltas of one span (roll_months.roll_deltas) at their boundaries: a span counts on a month's
last day when valid_from <= that day < valid_to; a member enters a band on the month's last day that completes
the years (the band read from the birth-month cohort the counters keep)."""
from datetime import date

from reports.roll_months import band_on, cohort, cohort_start, roll_deltas

BANDS = {"age": [(date(1930, 2, 3), ((61, "61_70"), (51, "51_60"), (31, "31_40"), (0, "to_30")))],
         "party_age": [(date(1930, 2, 3), ((10, "10_19"), (0, "under_10")))]}
PATH = [(date(2020, 1, 1), ("cell", "committee"))]


def _span(valid_from, valid_to=None, born=date(1980, 6, 15), party=None, **more):
    return {"valid_from": valid_from, "valid_to": valid_to, "status": "official", "sex": "male", "ethnicity": None,
            "religion": None, "education_level": None, "political_theory_level": None, "date_of_birth": born,
            "party_age_start": party, **more}


def _status(deltas, org="cell"):
    return {month: n for (o, month, dimension, _), n in deltas.items() if o == org and dimension == "status"}


def test_a_span_starting_on_a_months_last_day_counts_that_month_and_one_starting_the_next_day_does_not():
    assert _status(roll_deltas(_span(date(2026, 3, 31)), PATH, [])) == {"2026-03": 1}
    assert _status(roll_deltas(_span(date(2026, 4, 1)), PATH, [])) == {"2026-04": 1}


def test_a_span_ending_on_a_months_last_day_is_off_that_day_and_one_ending_the_next_day_is_on_it():
    # valid_to is the first day off the roll
    assert _status(roll_deltas(_span(date(2025, 1, 1), date(2026, 3, 31)), PATH, [])) == {
        "2025-01": 1, "2026-03": -1}
    assert _status(roll_deltas(_span(date(2025, 1, 1), date(2026, 4, 1)), PATH, [])) == {
        "2025-01": 1, "2026-04": -1}


def test_a_span_that_holds_no_months_last_day_adds_nothing():
    assert roll_deltas(_span(date(2026, 3, 1), date(2026, 3, 31)), PATH, []) == {}
    assert roll_deltas(_span(date(2026, 3, 31), date(2026, 4, 1)), PATH, []) != {}


def test_every_org_on_the_path_gets_the_same_deltas_and_the_sums_come_back_to_zero_after_the_span():
    deltas = roll_deltas(_span(date(2025, 1, 1), date(2070, 1, 1)), PATH, [(date(2020, 1, 1), "school")])
    for org in ("cell", "committee"):
        sums: dict = {}
        for (o, _, dimension, value), n in deltas.items():
            if o == org:
                sums[(dimension, value)] = sums.get((dimension, value), 0) + n
        assert set(sums.values()) == {0}
    assert {k[1:]: n for k, n in deltas.items() if k[0] == "cell"} == \
        {k[1:]: n for k, n in deltas.items() if k[0] == "committee"}


def _cohort_band(born: date, day: date) -> str:
    return band_on(BANDS, "age", cohort_start(cohort(born)), day)


def test_a_birthday_on_a_months_last_day_changes_the_band_that_month_and_the_day_after_the_next_month():
    # 31 on 31 March 2026: 31_40 from March; 31 on 1 April: from April (the cohort gives the same as the date)
    for born in (date(1995, 3, 31), date(1995, 4, 1), date(1995, 3, 1)):
        for day in (date(2026, 2, 28), date(2026, 3, 31), date(2026, 4, 30)):
            assert _cohort_band(born, day) == band_on(BANDS, "age", born, day)
    assert [_cohort_band(date(1995, 3, 31), d) for d in (date(2026, 2, 28), date(2026, 3, 31))] == ["to_30", "31_40"]
    assert [_cohort_band(date(1995, 4, 1), d) for d in (date(2026, 3, 31), date(2026, 4, 30))] == ["to_30", "31_40"]


def test_someone_born_on_29_february_completes_a_year_on_1_march_in_a_common_year():
    assert cohort(date(1996, 2, 29)) == "1996-02-29" and cohort(date(1996, 2, 28)) == "1996-02"
    assert _cohort_band(date(1996, 2, 29), date(2027, 2, 28)) == "to_30"
    assert _cohort_band(date(1996, 2, 29), date(2027, 3, 31)) == "31_40"
    assert _cohort_band(date(1996, 2, 28), date(2027, 2, 28)) == "31_40"


def test_a_span_keeps_its_birth_and_party_age_months_once_whatever_bands_it_crosses():
    deltas = roll_deltas(_span(date(2025, 1, 1), born=date(1995, 3, 31), party=date(2016, 2, 29)), PATH, [])
    cohorts = {(month, dimension, value): n for (o, month, dimension, value), n in deltas.items()
               if o == "cell" and dimension in ("born", "party_since")}
    assert cohorts == {("2025-01", "born", "1995-03"): 1, ("2025-01", "party_since", "2016-02-29"): 1}


def test_a_move_of_the_cell_moves_its_members_between_committees_at_the_month_it_takes_effect():
    path = [(date(2020, 1, 1), ("cell", "old")), (date(2025, 3, 1), ("cell", "new"))]
    deltas = roll_deltas(_span(date(2024, 6, 1)), path, [])
    status = {(o, month): n for (o, month, dimension, _), n in deltas.items() if dimension == "status"}
    assert status == {("cell", "2024-06"): 1, ("old", "2024-06"): 1, ("old", "2025-03"): -1, ("new", "2025-03"): 1}


def test_a_sector_change_of_the_cell_moves_its_members_between_sectors_at_the_month_it_takes_effect():
    sectors = [(date(2020, 1, 1), "administrative"), (date(2025, 7, 1), "school")]
    deltas = roll_deltas(_span(date(2025, 1, 1), date(2026, 1, 1)), PATH, sectors)
    assert {(o, m, v): n for (o, m, d, v), n in deltas.items() if d == "sector" and o == "cell"} == {
        ("cell", "2025-01", "administrative"): 1, ("cell", "2025-07", "administrative"): -1,
        ("cell", "2025-07", "school"): 1, ("cell", "2026-01", "school"): -1}
