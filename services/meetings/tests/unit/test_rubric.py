"""The rubric as data: band boundaries, scoring rules and definition validation."""
from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from meetings.rubric import band_for, score, validate_rubric

SEED = Path(__file__).resolve().parents[2] / "migrations" / "data" / "phu_tho_100_v1.json"


@pytest.fixture
def phu_tho() -> dict:
    return json.loads(SEED.read_text(encoding="utf-8"))


@pytest.mark.parametrize(("value", "level"), [
    (100, "tot"), (90, "tot"), (89.99, "kha"), (70, "kha"), (69.99, "trung_binh"),
    (50, "trung_binh"), (49.99, "kem"), (0, "kem"),
])
def test_each_band_boundary_belongs_to_the_higher_band(phu_tho, value, level):
    assert band_for(phu_tho, value) == level


def test_the_seeded_phu_tho_rubric_is_valid_and_matches_the_published_group_totals(phu_tho):
    assert validate_rubric(phu_tho) == []
    assert {g["key"]: g["max"] for g in phu_tho["groups"]} == {
        "preparation": 15, "attendance": 20, "conduct": 45, "closing": 20}
    assert "ASSUMPTION" in phu_tho["description"]


def metrics_of(**values):
    return lambda name: values.get(name, False)


def test_a_perfect_meeting_scores_the_maximum_with_a_breakdown_per_item(phu_tho):
    checks = {i["rule"]["key"]: True for g in phu_tho["groups"] for i in g["items"] if i["rule"]["type"] == "check"}
    rating = score(phu_tho, metrics_of(attendance_rate=1.0, speakers_share=1.0, no_unexcused_absence=True,
                                       duration_ok=True, **checks))
    assert (rating.score, rating.level) == (100, "tot")
    assert len(rating.breakdown) == sum(len(g["items"]) for g in phu_tho["groups"])
    assert all(i.points == i.max_points for i in rating.breakdown)


def test_threshold_items_give_the_points_of_the_highest_step_reached(phu_tho):
    def attendance_points(rate: float) -> float:
        rating = score(phu_tho, metrics_of(attendance_rate=rate))
        return next(i.points for i in rating.breakdown if i.item == "attendance.rate")

    assert [attendance_points(r) for r in (1.0, 0.95, 0.94, 0.9, 0.85, 0.84, 0.7, 0.69)] == [12, 12, 10, 10, 8, 4, 4, 0]


def test_an_unticked_checklist_box_scores_nothing_and_a_score_of_exactly_90_is_tot(phu_tho):
    checks = {i["rule"]["key"]: True for g in phu_tho["groups"] for i in g["items"] if i["rule"]["type"] == "check"}
    checks["conduct.full_content"] = False  # −10
    rating = score(phu_tho, metrics_of(attendance_rate=1.0, speakers_share=0.6, no_unexcused_absence=True,
                                       duration_ok=True, **checks))
    assert (rating.score, rating.level) == (90, "tot")
    checks["conduct.on_time"] = False  # −5 more
    assert score(phu_tho, metrics_of(attendance_rate=1.0, speakers_share=0.6, no_unexcused_absence=True,
                                     duration_ok=True, **checks)).level == "kha"


def test_items_that_do_not_add_up_to_their_group_are_reported(phu_tho):
    broken = copy.deepcopy(phu_tho)
    broken["groups"][0]["items"][0]["points"] = 4
    assert any("preparation" in p and "sum to 14" in p for p in validate_rubric(broken))


def test_groups_that_do_not_add_up_to_the_maximum_are_reported(phu_tho):
    broken = copy.deepcopy(phu_tho)
    broken["max"] = 110
    assert any("not the rubric max 110" in p for p in validate_rubric(broken))


@pytest.mark.parametrize(("band", "bound", "value"), [
    (1, "min", 65),  # kha starts at 65 while trung_binh runs to 70: overlap
    (1, "max", 85),  # kha stops at 85 while tot starts at 90: gap
    (3, "min", 10),  # nothing covers 0..10
])
def test_bands_that_overlap_leave_a_gap_or_miss_zero_are_reported(phu_tho, band, bound, value):
    broken = copy.deepcopy(phu_tho)
    broken["bands"][band][bound] = value
    assert validate_rubric(broken)


def test_threshold_steps_must_run_from_highest_to_lowest_and_reach_the_item_points(phu_tho):
    broken = copy.deepcopy(phu_tho)
    broken["groups"][1]["items"][0]["rule"]["steps"] = [[0.7, 4], [0.95, 12]]
    assert any("highest to lowest" in p for p in validate_rubric(broken))
    broken["groups"][1]["items"][0]["rule"]["steps"] = [[0.95, 11], [0.7, 4]]
    assert any("reach" in p for p in validate_rubric(broken))
