from __future__ import annotations

import pytest

from deploy.local.procs import SERVICES, NatsProcess
from tests.e2e.stack import Stack


@pytest.fixture(params=["sqlite", "postgresql"])
def stack(request, tmp_path, make_database_url):
    make_database_url.backend = request.param  # noqa: the factory reads it lazily
    nats = NatsProcess(tmp_path / "nats", log_file=tmp_path / "nats.log").start()
    urls = {name: _url(request, tmp_path, name) for name in SERVICES}
    stack = Stack(tmp_path, nats, urls)
    yield stack
    stack.stop()
    nats.stop()


def _url(request, tmp_path, name: str) -> str:
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / (name + '.db')}"
    from conftest import new_postgres_database
    return new_postgres_database(request.getfixturevalue("postgres_admin_url"))
