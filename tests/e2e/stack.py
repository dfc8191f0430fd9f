"""The three services as real processes on a real nats-server, for end-to-end tests."""
from __future__ import annotations

import json
import os
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from deploy.local.procs import PYTHONPATH, ROOT, SERVICES, NatsProcess, ServiceProcess, service_env
from tests import waiting

SECRET = "e2e-secret-not-for-production"
DATABASES = ("sqlite", "postgresql")


def only_on(database: str):
    """Run an end-to-end test on one database instead of both (the fixture's default).

    The services' own suites run every use case on SQLite and PostgreSQL; end to end, the delivery paths
    (the roll-up, a service killed mid-stream, the consistency check after every test) run on both, and the
    tests that add a scenario on top of them run once: on PostgreSQL (production) for the back-end scenarios, on SQLite
    (what `make run` starts) for the browser and access ones. This keeps `make test` within its budget."""
    assert database in DATABASES
    return pytest.mark.parametrize("stack", [database], indirect=True)


@dataclass
class Stack:
    workdir: Path
    nats: NatsProcess
    database_urls: dict[str, str]
    services: dict[str, ServiceProcess] = field(default_factory=dict)
    demo: dict | None = None  # what load_demo answered
    check_consistency: bool = True  # a test that breaks the projection on purpose turns the teardown check off

    def start(self, *names: str) -> None:
        for name in names or SERVICES:
            env = service_env(name, database_url=self.database_urls[name], nats_url=self.nats.url, jwt_secret=SECRET)
            svc = self.services.get(name) or ServiceProcess(name, env, log_file=self.workdir / f"{name}.log")
            self.services[name] = svc.start()
        for name in names or SERVICES:
            self.services[name].wait_ready()

    def stop(self, *names: str, kill: bool = False) -> None:
        """Signal every named service, then wait for them together: each may spend up to uvicorn's graceful
        3 s on a dashboard stream still open, and one after the other that was ~6 s per test."""
        chosen = [self.services[name] for name in names or SERVICES if name in self.services]
        for service in chosen:
            service.begin_stop(kill)
        for service in chosen:
            service.finish_stop()

    def client(self, name: str, token: str | None = None, **headers: str) -> httpx.Client:
        if token:
            headers["Authorization"] = f"Bearer {token}"
        return httpx.Client(base_url=self.services[name].url, headers=headers, timeout=15)

    def log_lines(self, name: str) -> list[dict]:
        lines = []
        for raw in (self.workdir / f"{name}.log").read_text(errors="replace").splitlines():
            try:
                lines.append(json.loads(raw))
            except ValueError:
                continue
        return lines

    def load_demo(self) -> dict:
        env = {**os.environ, "PYTHONPATH": PYTHONPATH, "MEMBERS_DATABASE_URL": self.database_urls["members"]}
        out = subprocess.run([sys.executable, "-m", "members.cli", "load-demo", "--json"], cwd=ROOT, env=env,
                             capture_output=True, text=True, timeout=120, check=True)
        self.demo = json.loads(out.stdout[out.stdout.index("{"):])
        return self.demo

    def running(self, *names: str) -> bool:
        return all(name in self.services and self.services[name].proc is not None
                   and self.services[name].proc.poll() is None for name in names)

    def consistency_check(self, org_id: str, *args: str) -> subprocess.CompletedProcess:
        """``python -m reports.cli check``: the projection against the members and meetings services' records."""
        env = {**os.environ, "PYTHONPATH": PYTHONPATH, "REPORTS_DATABASE_URL": self.database_urls["reports"],
               "CHIBO_JWT_SECRET": SECRET, "REPORTS_MEMBERS_URL": self.services["members"].url,
               "REPORTS_MEETINGS_URL": self.services["meetings"].url}
        return subprocess.run([sys.executable, "-m", "reports.cli", "check", org_id, *args], cwd=ROOT, env=env,
                              capture_output=True, text=True, timeout=120)


def wait_for(fetch, predicate, timeout: float = 30.0, what: str = "condition"):
    """Poll ``fetch()`` until ``predicate(value)``; return the value (the last one is shown on failure)."""
    last: list = [None]

    def probe():
        last[0] = fetch()
        return (last[0],) if predicate(last[0]) else None  # a 1-tuple: truthy even when the value is not

    return waiting.wait_for(probe, timeout, what=what, details=lambda: f"; last value: {last[0]!r}")[0]
