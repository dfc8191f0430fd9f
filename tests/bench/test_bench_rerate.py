"""The re-rating bench module still runs and re-rates every meeting once (no timing is asserted)."""
from __future__ import annotations

from bench import rerate


def test_the_rerate_bench_re_rates_every_meeting_of_the_year_once_with_one_event_each(tmp_path):
    result = rerate.run(240, tmp_path)
    assert (result["meetings"], result["cells"]) == (240, 20)
    assert result["initially_rated"] == result["rerated"] == result["rated_under_new_rubric"] == 240
    assert result["meeting_rated_events"] == 480  # the first rating and the re-rating of each meeting
    assert result["seconds"] > 0 and "re-rated in" in rerate.markdown(result)
