"""QĐ 366 grading levels and the excellent quota at their boundaries (pure, no I/O)."""
from __future__ import annotations

from decimal import Decimal

import pytest

from members.grading import GradeScale, ScoreOutOfRange, check_quota, level_for, scale_for

SCALE = GradeScale(2025, Decimal(90), Decimal(70), Decimal(50), Decimal(20), "warn")


@pytest.mark.parametrize("score,level", [
    (100, "excellent"), (90, "excellent"), ("89.99", "good"), (70, "good"), ("69.99", "completed"),
    (50, "completed"), ("49.99", "not_completed"), (0, "not_completed"),
])
def test_the_level_follows_the_score_at_each_threshold(score, level):
    assert level_for(Decimal(str(score)), SCALE) == level


@pytest.mark.parametrize("score", ["-0.01", "100.01"])
def test_a_score_outside_zero_to_a_hundred_is_refused(score):
    with pytest.raises(ScoreOutOfRange):
        level_for(Decimal(score), SCALE)


def test_the_scale_of_a_year_is_the_latest_version_starting_no_later():
    newer = GradeScale(2027, Decimal(92), Decimal(75), Decimal(50), Decimal(15))
    assert scale_for(2024, [SCALE, newer]) is None
    assert scale_for(2026, [SCALE, newer]) is SCALE
    assert scale_for(2027, [SCALE, newer]) is newer


def test_ten_good_allow_two_excellent_but_not_three():
    assert not check_quota(["good"] * 10 + ["excellent"] * 2, SCALE).exceeded
    check = check_quota(["good"] * 10 + ["excellent"] * 3, SCALE)
    assert check.exceeded and check.allowed == 2
    assert "Vượt tỷ lệ" in check.message_vi and "Quota exceeded" in check.message_en


def test_four_good_allow_no_excellent_and_five_allow_one():
    assert check_quota(["good"] * 4 + ["excellent"], SCALE).exceeded
    assert not check_quota(["good"] * 5 + ["excellent"], SCALE).exceeded


def test_other_levels_do_not_count_towards_the_quota():
    assert check_quota(["completed"] * 20 + ["not_completed"] * 5 + ["excellent"], SCALE).exceeded
