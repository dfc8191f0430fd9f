"""The pure month deltas of one span (roll_months.roll_deltas) at their boundaries: a span counts on a month's
last day when valid_from <= that day < valid_to; a member enters a band on the month's last day that completes
the years."""
from datetime import date

from reports.roll_months import band_on, roll_deltas

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
    assert _status(roll_deltas(_span(date(2026, 3, 31)), PATH, [], BANDS)) == {"2026-03": 1}
    assert _status(roll_deltas(_span(date(2026, 4, 1)), PATH, [], BANDS)) == {"2026-04": 1}


def test_a_span_ending_on_a_months_last_day_is_off_that_day_and_one_ending_the_next_day_is_on_it():
    # valid_to is the first day off the roll
    assert _status(roll_deltas(_span(date(2025, 1, 1), date(2026, 3, 31)), PATH, [], BANDS)) == {
        "2025-01": 1, "2026-03": -1}
    assert _status(roll_deltas(_span(date(2025, 1, 1), date(2026, 4, 1)), PATH, [], BANDS)) == {
        "2025-01": 1, "2026-04": -1}


def test_a_span_that_holds_no_months_last_day_adds_nothing():
    assert roll_deltas(_span(date(2026, 3, 1), date(2026, 3, 31)), PATH, [], BANDS) == {}
    assert roll_deltas(_span(date(2026, 3, 31), date(2026, 4, 1)), PATH, [], BANDS) != {}


def test_every_org_on_the_path_gets_the_same_deltas_and_the_sums_come_back_to_zero_after_the_span():
    deltas = roll_deltas(_span(date(2025, 1, 1), date(2070, 1, 1)), PATH, [(date(2020, 1, 1), "school")], BANDS)
    for org in ("cell", "committee"):
        sums: dict = {}
        for (o, _, dimension, value), n in deltas.items():
            if o == org:
                sums[(dimension, value)] = sums.get((dimension, value), 0) + n
        assert set(sums.values()) == {0}
    assert {k[1:]: n for k, n in deltas.items() if k[0] == "cell"} == \
        {k[1:]: n for k, n in deltas.items() if k[0] == "committee"}


def _age(deltas):
    return {(month, value): n for (o, month, dimension, value), n in deltas.items()
            if o == "cell" and dimension == "age_band"}


def test_a_birthday_on_a_months_last_day_changes_the_band_that_month_and_the_day_after_the_next_month():
    # 31 on 31 March 2026: 31_40 from March; 31 on 1 April: from April
    assert _age(roll_deltas(_span(date(2025, 1, 1), born=date(1995, 3, 31)), PATH, [], BANDS))[("2026-03", "31_40")] == 1
    deltas = _age(roll_deltas(_span(date(2025, 1, 1), born=date(1995, 4, 1)), PATH, [], BANDS))
    assert ("2026-03", "31_40") not in deltas and deltas[("2026-04", "31_40")] == 1


def test_someone_born_on_29_february_completes_a_year_on_1_march_in_a_common_year():
    assert band_on(BANDS, "age", date(1996, 2, 29), date(2027, 2, 28)) == "to_30"
    assert band_on(BANDS, "age", date(1996, 2, 29), date(2027, 3, 31)) == "31_40"
    deltas = _age(roll_deltas(_span(date(2025, 1, 1), born=date(1996, 2, 29)), PATH, [], BANDS))
    assert deltas[("2027-03", "31_40")] == 1 and ("2027-02", "31_40") not in deltas


def test_a_move_of_the_cell_moves_its_members_between_committees_at_the_month_it_takes_effect():
    path = [(date(2020, 1, 1), ("cell", "old")), (date(2025, 3, 1), ("cell", "new"))]
    deltas = roll_deltas(_span(date(2024, 6, 1)), path, [], BANDS)
    status = {(o, month): n for (o, month, dimension, _), n in deltas.items() if dimension == "status"}
    assert status == {("cell", "2024-06"): 1, ("old", "2024-06"): 1, ("old", "2025-03"): -1, ("new", "2025-03"): 1}


def test_a_new_band_set_rebands_everyone_in_the_month_it_comes_into_force():
    bands = {**BANDS, "age": [*BANDS["age"], (date(2026, 1, 1), ((36, "over_35"), (0, "to_35")))]}
    deltas = _age(roll_deltas(_span(date(2025, 1, 1), born=date(1980, 6, 15)), PATH, [], bands))
    assert deltas == {("2025-01", "31_40"): 1, ("2026-01", "31_40"): -1, ("2026-01", "over_35"): 1}  # 44, then 45
