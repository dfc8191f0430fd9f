"""The whole stack on fresh temp data: nats-server -js, the demo province in
members' database (the only way to get a root organization: the API needs a
parent), then members, meetings and reports under uvicorn, ready."""
from __future__ import annotations

import json
import secrets
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from deploy.local.children import (ChildFailed, ServiceProcess, child_env, child_popen_kwargs, log_tail, stop_all,
                                   wait_until)
from deploy.local.procs import NatsProcess
from shared.auth import issue_token

SERVICES = ("members", "meetings", "reports")
READY_TIMEOUT_S = 120.0


class BenchService(ServiceProcess):
    """A service without per-request access logging (the bench measures the service, not its log)."""

    def start(self) -> "BenchService":
        cmd = [sys.executable, "-m", "uvicorn", "--factory", f"{self.name}.bootstrap:create_app", "--host",
               "127.0.0.1", "--port", str(self.port), "--no-access-log", "--log-level", "warning",
               "--timeout-graceful-shutdown", "3"]
        with open(self.log_file, "ab") as log:
            self.proc = subprocess.Popen(cmd, env=child_env(self.env), stdout=log, stderr=subprocess.STDOUT,
                                         **child_popen_kwargs())
        return self


@dataclass
class Stack:
    workdir: Path
    nats: NatsProcess
    secret: str
    root_id: str = ""
    ready_s: float = 0.0
    services: dict[str, BenchService] = field(default_factory=dict)

    def url(self, service: str) -> str:
        return self.services[service].url

    def token(self, role: str = "province", org_id: str | None = None) -> str:
        return issue_token(self.secret, username="bench", role=role, org_id=org_id or self.root_id,
                           name="Bench / đo tải")

    def stop_services(self) -> None:
        stop_all(list(self.services.values()))

    def stop(self) -> None:
        self.stop_services()
        self.nats.stop()


def service_env(name: str, workdir: Path, nats_url: str, secret: str) -> dict[str, str]:
    prefix = name.upper()
    return {"NATS_URL": nats_url, "CHIBO_JWT_SECRET": secret, "CHIBO_ENV": "development",
            f"{prefix}_DATABASE_URL": f"sqlite:///{workdir / (name + '.db')}", f"{prefix}_LOG_LEVEL": "WARNING",
            f"{prefix}_LOG_JSON": "true",
            # a big per-client queue: the bench reader must never miss an update because it lagged
            "REPORTS_SSE_QUEUE_SIZE": "100000"}


def load_demo(env: dict[str, str], log_file: Path) -> dict:
    """``python -m members.cli load-demo --json``: the demo province; returns its ids."""
    with open(log_file, "ab") as log:
        done = subprocess.run([sys.executable, "-m", "members.cli", "load-demo", "--json"], env=child_env(env),
                              stdout=subprocess.PIPE, stderr=log, timeout=300, **child_popen_kwargs())
    found = [parsed for parsed in map(_json_or_none, done.stdout.decode().splitlines())
             if isinstance(parsed, dict) and "province_id" in parsed]  # log lines may be JSON too
    if done.returncode != 0 or not found:
        raise ChildFailed("members.cli load-demo", f"exited with code {done.returncode}", log_file)
    return found[-1]


def _json_or_none(line: str):
    try:
        return json.loads(line) if line.startswith("{") else None
    except ValueError:
        return None


def start_stack(workdir: Path) -> Stack:
    """Start everything in ``workdir``; on failure stop what was started and raise."""
    workdir.mkdir(parents=True, exist_ok=True)
    nats = NatsProcess(workdir / "nats", log_file=workdir / "nats.log", popen_kwargs=child_popen_kwargs()).start()
    stack = Stack(workdir, nats, secret=secrets.token_hex(24))
    try:
        envs = {name: service_env(name, workdir, nats.url, stack.secret) for name in SERVICES}
        stack.root_id = load_demo(envs["members"], workdir / "members.log")["province_id"]
        for name in SERVICES:
            stack.services[name] = BenchService(name, envs[name], workdir / f"{name}.log").start()
        started = time.monotonic()
        wait_until(lambda: all(s.ready() for s in stack.services.values()), READY_TIMEOUT_S, "the services' /ready")
        stack.ready_s = time.monotonic() - started
    except BaseException:
        stack.stop()
        raise
    return stack


def failure_logs(workdir: Path) -> str:
    """The last lines of every child's log, to explain a failed run."""
    parts = [f"--- {path.name}\n{log_tail(path, 20)}" for path in sorted(workdir.glob("*.log"))]
    return "\n".join(parts)
