"""`python -m bench.hr_import` still runs end to end on a small export (the shape, never the timings)."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_the_hr_import_bench_previews_commits_and_finds_the_second_import_unchanged():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "services" / "members")])}
    done = subprocess.run([sys.executable, "-m", "bench.hr_import", "--rows", "300"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["first_summary"]["new"] == 300 and result["committed"]["new"] == 300
    assert result["second_summary"]["unchanged"] == 300 and result["second_summary"]["new"] == 0
    assert result["preview_s"] > 0 and result["commit_s"] > 0 and "within_target" in result


def test_the_hr_import_bench_reads_an_xlsx_export_the_same_way():
    env = {**os.environ, "PYTHONPATH": os.pathsep.join([str(ROOT), str(ROOT / "services" / "members")])}
    done = subprocess.run([sys.executable, "-m", "bench.hr_import", "--rows", "300", "--xlsx"], cwd=ROOT, env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr[-3000:]
    result = json.loads(done.stdout)
    assert result["format"] == "xlsx" and result["first_summary"]["new"] == 300
    assert result["second_summary"]["unchanged"] == 300
