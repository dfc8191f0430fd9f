"""The national-scale figures bench still loads and measures (tiny scale; no timing is asserted)."""
from __future__ import annotations

from bench import national


def test_the_national_bench_loads_a_four_level_tree_and_times_the_figures_of_every_level_and_period(
        tmp_path, database_url):
    result = national.run(0.0005, tmp_path, samples=2, budget_s=5.0, database_url=database_url)
    assert result["levels"] == {"province": 34, "committee": 34, "grassroots": 34, "cell": 170}
    assert result["organizations"] == 272 and result["database"] == database_url.split(":")[0].split("+")[0]
    assert result["meetings"] == result["rows"]["meeting_fact"] > 170 * 12
    assert 0 < result["members_on_roll"] <= result["rows"]["member_span"]
    figures = result["figures_ms"]
    assert [(c["level"], c["period"]) for c in figures["cells"]] == [
        (level, period) for level in ("province", "committee", "grassroots", "cell")
        for period in ("month", "quarter", "year")]
    for cell in figures["cells"]:
        assert cell["count"] >= 2 and 0 < cell["p50"] <= cell["p95"] <= cell["p99"] <= cell["max"]
    assert figures["check"]["consistent"], figures["check"]
    assert figures["roll_section_ms"]["consistent"] and result["rows"]["roll_month"] > 0  # counters = live roll
    assert isinstance(figures["meets_target"], bool) and figures["worst_p99_ms"] == max(c["p99"] for c in figures["cells"])
    table = national.markdown(result)
    assert "| province | year |" in table and "| cell | month |" in table
