"""The HD 12 framework rubric, bilingual rubric problems, the excused-absence streak and the annual rating."""
from __future__ import annotations

import copy
import json
from datetime import date
from pathlib import Path

import pytest

from meetings.absences import MISSING, decide
from meetings.ratings import History
from meetings.rubric import LEVELS, band_for, rubric_problems, score, validate_rubric

DATA = Path(__file__).resolve().parents[2] / "migrations" / "data"


@pytest.fixture
def hd12() -> dict:
    return json.loads((DATA / "hd12_framework_v1.json").read_text(encoding="utf-8"))


@pytest.fixture
def phu_tho() -> dict:
    return json.loads((DATA / "phu_tho_100_v1.json").read_text(encoding="utf-8"))


@pytest.fixture
def rules() -> dict:
    return json.loads((DATA / "meeting_rules_v1.json").read_text(encoding="utf-8"))


def passing(**overrides):
    values = {"attendance_rate": 0.9, "no_unexcused_absence": True, "max_excused_streak": 0, "duration_ok": True,
              "prep.content_prepared": True, "prep.committee_met": True, "prep.notice_sent": True,
              "closing.minutes_approved": True, **overrides}
    return lambda name: values[name]


def test_the_hd12_framework_rubric_is_valid_and_states_its_level_mapping_as_an_assumption(hd12):
    assert validate_rubric(hd12) == []
    assert "ASSUMPTION" in hd12["description"] and "Giả định" in hd12["description"]


def test_a_meeting_meeting_every_hd12_criterion_is_rated_tot(hd12):
    assert (score(hd12, passing()).score, score(hd12, passing()).level) == (100, "tot")


@pytest.mark.parametrize(("rate", "points"), [(0.85, 0), (0.8501, 15), (0.86, 15)])
def test_hd12_attendance_must_be_above_85_percent(hd12, rate, points):
    [item] = [i for i in score(hd12, passing(attendance_rate=rate)).breakdown if i.item == "attendance.over_85"]
    assert item.points == points


@pytest.mark.parametrize(("streak", "level"), [(3, "tot"), (4, "kha")])
def test_hd12_an_excused_streak_of_more_than_three_misses_one_criterion(hd12, streak, level):
    assert score(hd12, passing(max_excused_streak=streak)).level == level


@pytest.mark.parametrize(("missed", "level"), [
    ({}, "tot"), ({"duration_ok": False}, "kha"), ({"duration_ok": False, "no_unexcused_absence": False}, "trung_binh"),
    ({"duration_ok": False, "no_unexcused_absence": False, "closing.minutes_approved": False}, "kem"),
])
def test_hd12_levels_follow_the_number_of_criteria_missed(hd12, missed, level):
    assert score(hd12, passing(**missed)).level == level


@pytest.mark.parametrize(("value", "level"), [(100, "tot"), (99.99, "kha"), (80, "kha"), (79.99, "trung_binh"),
                                               (60, "trung_binh"), (59.99, "kem")])
def test_hd12_band_boundaries(hd12, value, level):
    assert band_for(hd12, value) == level


def test_items_that_do_not_sum_to_their_group_name_the_group_items_in_both_languages(phu_tho):
    broken = copy.deepcopy(phu_tho)
    broken["groups"][2]["items"][0]["points"] = 4
    [problem] = rubric_problems(broken)
    assert problem.field == "definition.groups.2.items"
    assert "Tổng điểm các tiêu chí" in problem.vi and "sum to 44" in problem.en


def test_groups_that_do_not_sum_to_the_maximum_name_the_groups(phu_tho):
    broken = {**copy.deepcopy(phu_tho), "max": 120}
    assert [(p.field, "phải bằng điểm tối đa" in p.vi) for p in rubric_problems(broken)] == [("definition.groups", True)]


@pytest.mark.parametrize(("change", "words"), [
    ({"kha": ("max", 92)}, ("chồng lấn", "overlap")),
    ({"kha": ("max", 85)}, ("khoảng trống", "gap")),
    ({"kem": ("min", 5)}, ("bắt đầu từ 0", "start at 0")),
    ({"tot": ("max", 100)}, ("Mức cao nhất", "top band")),
])
def test_bands_that_overlap_leave_a_gap_miss_zero_or_close_the_top_are_named(phu_tho, change, words):
    broken = copy.deepcopy(phu_tho)
    for band in broken["bands"]:
        if band["level"] in change:
            key, value = change[band["level"]]
            band[key] = value
    problems = rubric_problems(broken)
    assert problems and all(p.field == "definition.bands" for p in problems)
    assert any(words[0] in p.vi and words[1] in p.en for p in problems)


@pytest.mark.parametrize("definition", [None, [], {"max": "x"}, {"max": 100}, {"max": 100, "groups": [{"key": "a"}]},
                                        {"max": 10, "groups": [{"key": "a", "max": 10, "items": [
                                            {"key": "i", "points": 10, "rule": {"type": "magic"}}]}],
                                         "bands": [{"level": "tot", "min": 0, "max": None}]}])
def test_malformed_definitions_are_reported_not_crashed_on(definition):
    assert rubric_problems(definition)


def test_a_compare_rule_needs_a_known_operator(hd12):
    hd12["groups"][0]["items"][0]["rule"]["op"] = "≈"
    [problem] = rubric_problems(hd12)
    assert problem.field == "definition.groups.0.items.0.rule"


def _history(*statuses: str) -> History:
    return History([(date(2026, m, 10), f"m{m:02d}", {"a": s}) for m, s in enumerate(statuses, 1)])


def test_the_excused_streak_counts_consecutive_excused_absences_up_to_a_meeting():
    history = _history("absent_excused", "absent_excused", "present", "absent_excused", "exempt", "absent_excused",
                       "absent_excused")
    assert history.excused_streak("a", (date(2026, 2, 10), "m02")) == 2
    assert history.excused_streak("a", (date(2026, 3, 10), "m03")) == 0  # present breaks it
    assert history.excused_streak("a", (date(2026, 7, 10), "m07")) == 3  # an exempt month neither counts nor breaks


def _ranks(*levels: str | None) -> list[int]:
    return [LEVELS.index(level) if level else MISSING for level in levels]


def test_tot_for_the_year_needs_at_least_seven_tot_and_every_month_at_least_kha(rules):
    annual = rules["annual"]
    assert decide(annual, _ranks(*["tot"] * 7, *["kha"] * 5)) == "tot"
    assert decide(annual, _ranks(*["tot"] * 6, *["kha"] * 6)) == "kha"  # six Tốt: one short
    assert decide(annual, _ranks(*["tot"] * 11, "trung_binh")) == "kha"  # one month below Khá
    assert decide(annual, _ranks(*["tot"] * 11, None)) == "trung_binh"  # a month without a meeting


def test_the_lower_annual_levels_follow_the_rule_data(rules):
    annual = rules["annual"]
    assert decide(annual, _ranks(*["kha"] * 7, *["trung_binh"] * 5)) == "kha"
    assert decide(annual, _ranks(*["kha"] * 6, *["trung_binh"] * 6)) == "trung_binh"
    assert decide(annual, _ranks(*["trung_binh"] * 7, *["kem"] * 5)) == "trung_binh"
    assert decide(annual, _ranks(*["trung_binh"] * 6, *["kem"] * 6)) == "kem"
