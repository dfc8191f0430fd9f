from datetime import date

from reports.dashboard import flags, previous_month, rank, watch_month


def figures(held=1, **levels):
    return {"meetings_held": held, "levels": {"tot": 0, "kha": 0, "trung_binh": 0, "kem": 0, "unrated": 0, **levels}}


def test_the_watched_month_is_the_period_itself_or_the_last_begun_month_of_a_quarter_or_year():
    today = date(2026, 5, 20)
    assert watch_month("2026-03", today) == "2026-03"
    assert watch_month("2026-Q2", today) == "2026-05"  # the quarter is under way: this month
    assert watch_month("2026-Q1", today) == "2026-03"
    assert watch_month("2026", today) == "2026-05" and watch_month("2025", today) == "2025-12"


def test_the_month_before_january_is_december_of_the_year_before():
    assert previous_month("2026-01") == "2025-12" and previous_month("2026-10") == "2026-09"


def test_a_cell_is_flagged_when_it_held_no_meeting_or_its_mean_rating_fell():
    assert flags(figures(0), figures(1, tot=1)) == ["missed"]
    assert flags(figures(1, kha=1), figures(1, tot=1)) == ["fell"]
    assert flags(figures(1, tot=1), figures(1, tot=1)) == []  # the same level: not fallen
    assert flags(figures(1, kha=1), figures(0)) == []  # nothing to compare with
    assert flags(figures(1, unrated=1), figures(1, tot=1)) == []  # not rated yet: not fallen
    assert rank(figures(2, tot=1, kem=1)) == 2.5
