"""Child processes of a supervisor (``make run``, ``make bench``): the services of
deploy.local.procs, started in their own session (Ctrl-C reaches only the
supervisor, which stops them in order) and killed with the supervisor if it
dies outright (Linux parent-death signal), so none is orphaned."""
from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Mapping
from pathlib import Path

from deploy.local import procs
from deploy.local.procs import PYTHONPATH, ROOT, free_port

MIGRATE = "import sys; from pathlib import Path; from shared.db import migrate; migrate(Path(sys.argv[1]), sys.argv[2])"


def _die_with_parent() -> None:
    """preexec_fn: SIGTERM this child when the thread that started it dies (PR_SET_PDEATHSIG)."""
    with contextlib.suppress(Exception):
        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, signal.SIGTERM)


def _detached() -> dict:
    return {"start_new_session": True, "preexec_fn": _die_with_parent if sys.platform == "linux" else None}


def child_popen_kwargs() -> dict:
    """Popen options for every child of a supervisor: own session, dies with the supervisor, runs in the root."""
    return {**_detached(), "cwd": ROOT}


def child_env(extra: Mapping[str, str]) -> dict[str, str]:
    return {**os.environ, "PYTHONPATH": PYTHONPATH, "PYTHONUNBUFFERED": "1", **extra}


class ServiceProcess(procs.ServiceProcess):
    """A service under uvicorn that dies with its supervisor, logs to ``log_file`` and migrates on request."""

    def __init__(self, name: str, env: dict[str, str], log_file: Path, port: int | None = None) -> None:
        super().__init__(name, env, port=port or free_port(), log_file=log_file, popen_kwargs=_detached())

    def migrate(self) -> subprocess.Popen:
        """Start ``alembic upgrade head`` on the service's database (returns the running process)."""
        url = self.env[f"{self.name.upper()}_DATABASE_URL"]
        with open(self.log_file, "ab") as log:
            return subprocess.Popen([sys.executable, "-c", MIGRATE, str(ROOT / "services" / self.name), url],
                                    env=child_env(self.env), stdout=log, stderr=subprocess.STDOUT,
                                    **child_popen_kwargs())

    def ready(self) -> bool:
        """True once ``/ready`` answers 200; raises (with the log's tail) if the process has exited."""
        if self.proc is None or self.proc.poll() is not None:
            code = None if self.proc is None else self.proc.returncode
            raise ChildFailed(self.name, f"exited with code {code}", self.log_file)
        try:
            with urllib.request.urlopen(self.url + "/ready", timeout=2) as response:
                return response.status == 200
        except (urllib.error.URLError, OSError):
            return False


class ChildFailed(RuntimeError):
    def __init__(self, name: str, what: str, log_file: Path | None) -> None:
        tail = log_tail(log_file) if log_file else ""
        super().__init__(f"{name} {what}" + (f"; last lines of {log_file}:\n{tail}" if tail else ""))


def log_tail(path: Path, lines: int = 15) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return ""


def stop_all(children: list[procs.ServiceProcess], timeout: float = 10.0) -> None:
    """SIGTERM every running child at once, wait for them together, SIGKILL whatever is left."""
    running = [c.proc for c in children if c.proc is not None and c.proc.poll() is None]
    for proc in running:
        proc.terminate()
    deadline = time.monotonic() + timeout
    for proc in running:
        try:
            proc.wait(max(0.1, deadline - time.monotonic()))
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def wait_until(predicate, timeout: float, what: str, interval: float = 0.1):
    """Poll ``predicate`` until it returns a truthy value; TimeoutError after ``timeout`` seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if result := predicate():
            return result
        time.sleep(interval)
    raise TimeoutError(f"gave up waiting for {what} after {timeout:.0f} s")
