"""``make run`` end to end: the runner starts nats-server, the three services and
the gateway, answers through one URL, and leaves no process behind on Ctrl-C."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
from pathlib import Path

import httpx
import pytest

from deploy.local.procs import free_port
from tests.waiting import wait_for

ROOT = Path(__file__).resolve().parents[2]
STARTUP_TIMEOUT_S = 25.0


def descendants(pid: int) -> set[int]:
    """Every live process below ``pid`` (read from /proc)."""
    parents: dict[int, int] = {}
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            fields = stat.read_text().rsplit(")", 1)[1].split()
            parents[int(stat.parent.name)] = int(fields[1])
        except (OSError, IndexError, ValueError):
            continue
    found, frontier = set(), {pid}
    while frontier:
        frontier = {child for child, parent in parents.items() if parent in frontier} - found
        found |= frontier
    return found


def alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state != "Z"




@pytest.fixture
def runner(tmp_path):
    port, output = free_port(), tmp_path / "runner.out"
    env = {k: v for k, v in os.environ.items() if k != "NATS_URL" and not k.endswith("_DATABASE_URL")}
    env.update(PYTHONPATH=str(ROOT), CHIBO_DEMO="0", PYTHONUNBUFFERED="1")
    with open(output, "wb") as out:
        proc = subprocess.Popen([sys.executable, "-m", "deploy.local.run", "--port", str(port), "--no-demo",
                                 "--var-dir", str(tmp_path / "var")], cwd=ROOT, env=env, stdout=out,
                                stderr=subprocess.STDOUT)
    try:
        yield proc, f"http://127.0.0.1:{port}", output
    finally:
        leftovers = descendants(proc.pid)
        if proc.poll() is None:
            proc.kill()
            proc.wait()
        for pid in leftovers:
            if alive(pid):
                os.kill(pid, signal.SIGKILL)


@pytest.mark.slow
def test_make_run_serves_every_service_through_one_url_and_ctrl_c_leaves_no_process_behind(runner):
    proc, url, output = runner
    wait_for(lambda: "running at" in output.read_text(errors="replace") or proc.poll() is not None,
             STARTUP_TIMEOUT_S, what="the runner's banner",
             details=lambda: "; runner output:\n" + output.read_text(errors="replace"))
    assert proc.poll() is None, output.read_text(errors="replace")
    children = descendants(proc.pid)
    assert len(children) >= 4, "expected nats-server and three services as children"

    with httpx.Client(base_url=url, timeout=10, trust_env=False) as http:
        assert http.get("/").headers["location"] == "/reports/"
        assert http.get("/members/login").status_code == 200
        dashboard = http.get("/reports/")
        assert dashboard.status_code in (302, 303, 307) and "/members/login" in dashboard.headers["location"]
        assert http.get("/reports/api/figures").status_code == 401
        assert http.get("/meetings/api/rubrics").status_code == 401
        assert http.get("/elsewhere").status_code == 404

    proc.send_signal(signal.SIGINT)
    assert proc.wait(timeout=20) == 0, output.read_text(errors="replace")
    assert [pid for pid in children if alive(pid)] == []
    assert "Stopped" in output.read_text()
    var = output.parent / "var"
    assert {p.name for p in (var / "log").iterdir()} >= {"nats.log", "members.log", "meetings.log", "reports.log"}
    assert not (var / "demo-loaded").exists()
