from __future__ import annotations

import time

import pytest

from deploy.local.procs import SERVICES, NatsProcess
from tests.e2e.stack import DATABASES, Stack


@pytest.fixture(params=DATABASES)
def stack(request, tmp_path, make_database_url):
    make_database_url.backend = request.param  # noqa: the factory reads it lazily
    nats = NatsProcess(tmp_path / "nats", log_file=tmp_path / "nats.log").start()
    urls = {name: _url(request, tmp_path, name) for name in SERVICES}
    stack = Stack(tmp_path, nats, urls)
    yield stack
    try:
        _projection_matches_the_sources(stack)
    finally:
        stack.stop()
        nats.stop()


def _projection_matches_the_sources(stack: Stack) -> None:
    """After every end-to-end test that ran the three services (those that kill one mid-stream included), the
    reports consistency check finds the projection equal to the members and meetings services' records for the
    whole demo year. The projection converges asynchronously: it gets a while to catch up."""
    if not (stack.check_consistency and stack.demo and stack.running(*SERVICES)):
        return
    deadline = time.monotonic() + 30
    while True:
        result = stack.consistency_check(stack.demo["province_id"], "--period", "2026")
        if result.returncode == 0 or time.monotonic() > deadline:
            break
        time.sleep(1)
    assert result.returncode == 0, "consistency check after the test:\n" + result.stdout + result.stderr


def _url(request, tmp_path, name: str) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.db')}"
    from conftest import new_postgres_database
    return new_postgres_database(request.getfixturevalue("postgres_admin_url"))
