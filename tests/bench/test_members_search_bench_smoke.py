"""`python -m bench.members_search` runs end to end on a small province (the shape, never the timings)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
KINDS = {"name_accent_free", "name_given_only", "cccd", "filtered_no_text", "name_in_cell", "committee_name_subtree"}


def test_the_members_search_bench_loads_a_province_and_reports_percentiles_per_query_kind():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "services" / "members")])}
    done = subprocess.run([sys.executable, "-m", "bench.members_search", "--members", "600", "--organizations", "60",
                           "--queries", "5"], cwd=ROOT, env=env, capture_output=True, text=True, timeout=180)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["members"] == 600 and result["organizations"] == 60
    assert set(result["latency_ms"]) == KINDS
    for kind in KINDS:
        stats = result["latency_ms"][kind]
        assert stats["count"] == 5 and 0 < stats["p50"] <= stats["p95"] <= stats["p99"]
    assert result["latency_ms"]["cccd"]["mean_matches"] == 1.0  # each CCCD finds its one member
    assert result["latency_ms"]["name_accent_free"]["mean_matches"] >= 1.0  # a name typed without marks is found
    assert "within_target" in result and result["target_p99_ms"] == 100.0
