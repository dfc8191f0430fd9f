"""`python -m bench --smoke` still runs end to end and writes its results (no timing is asserted)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LATENCY_FIGURES = ("request_ms", "visible_ms", "rated_ms", "visible_from_send_ms")


def _positive(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value > 0


def _non_negative(value) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and value >= 0


@pytest.fixture(scope="module")
def smoke_result(tmp_path_factory) -> tuple[dict, Path]:
    out = tmp_path_factory.mktemp("bench-results")
    done = subprocess.run([sys.executable, "-m", "bench", "--smoke", "--out", str(out)], cwd=ROOT,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, f"stdout:\n{done.stdout[-3000:]}\nstderr:\n{done.stderr[-5000:]}"
    return json.loads((out / "latest.json").read_text(encoding="utf-8")), out


@pytest.mark.slow
def test_the_smoke_bench_writes_timestamped_and_latest_results_with_a_table(smoke_result):
    result, out = smoke_result
    assert len(list(out.glob("2*.json"))) == 1
    table = (out / "latest.md").read_text(encoding="utf-8")
    assert "| MEETINGS_V1 |" in table and "| rate /s |" in table
    assert result["mode"] == "smoke"
    assert _positive(result["setup"]["members"]) and result["setup"]["cells"] > 0


@pytest.mark.slow
def test_the_smoke_bench_measures_latency_of_every_recorded_meeting(smoke_result):
    steps = smoke_result[0]["latency"]["steps"]
    assert steps
    for step in steps:
        assert _positive(step["rate"]) and _positive(step["meetings"]) and _positive(step["achieved_rate"])
        assert step["errors"] == 0 and step["all_visible"] and step["all_rated"]
        for name in LATENCY_FIGURES:
            figures = step[name]
            assert figures["count"] == step["meetings"], name
            assert all(_non_negative(figures[k]) for k in ("p50", "p95", "p99", "max")), name
        assert isinstance(step["sustained"], bool)
    assert "max_sustained_rate" in smoke_result[0]["latency"]


@pytest.mark.slow
def test_the_smoke_bench_replays_both_streams_into_an_empty_projection(smoke_result):
    replay = smoke_result[0]["replay"]
    for kind in ("raw", "decode_only", "projection"):
        assert _positive(replay[kind]["events"]) and _positive(replay[kind]["events_per_s"])
        assert set(replay[kind]["streams"]) == {"MEMBERS_V1", "MEETINGS_V1"}
        assert all(_positive(s["events_per_s"]) for s in replay[kind]["streams"].values())
    assert replay["raw"]["events"] == replay["projection"]["events"] >= 2000
    assert _positive(replay["ratio"]) and isinstance(replay["meets_target"], bool)
    assert replay["consistent"], (replay["root_meetings_held"], replay["expected_meetings_held"])


@pytest.mark.slow
def test_the_smoke_bench_times_the_figures_query_on_a_national_shaped_projection(smoke_result):
    national = smoke_result[0]["national"]
    assert national["levels"]["province"] == 34 and national["meetings"] > 0 and national["members_on_roll"] > 0
    assert len(national["figures_ms"]["cells"]) == 12  # 4 levels × month, quarter, year
    assert all(_positive(c["p99"]) for c in national["figures_ms"]["cells"])
    assert national["figures_ms"]["check"]["consistent"]
    assert "National-scale figures" in (smoke_result[1] / "latest.md").read_text(encoding="utf-8")
