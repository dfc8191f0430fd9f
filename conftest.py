"""Fixtures every test tier shares: a real nats-server with JetStream on a free
port, and databases on SQLite and on a throwaway PostgreSQL 15 cluster.

PostgreSQL: ``CHIBO_TEST_POSTGRES_URL`` (an admin URL) is used when given;
otherwise the machine's PostgreSQL 15 binaries start a cluster. Without either
the PostgreSQL tier FAILS with a message saying so, unless you explicitly set
``CHIBO_SKIP_POSTGRES=1`` (then it is skipped, and the summary says so).
"""
from __future__ import annotations

import os
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text

from deploy.local.procs import NatsProcess, PostgresCluster, postgres_available

ROOT = Path(__file__).parent


@pytest.fixture
def nats_server(tmp_path_factory):
    """A fresh server per test: durable consumers read streams from the start, so a shared
    server would let one test's events leak into the next one's figures."""
    server = NatsProcess(tmp_path_factory.mktemp("nats") / "store").start()
    yield server
    server.stop()


@pytest.fixture
def nats_url(nats_server) -> str:
    return nats_server.url


@pytest.fixture(scope="session")
def postgres_admin_url(tmp_path_factory):
    given = os.environ.get("CHIBO_TEST_POSTGRES_URL")
    if given:
        yield given
        return
    if not postgres_available():
        if os.environ.get("CHIBO_SKIP_POSTGRES") == "1":
            pytest.skip("PostgreSQL tier SKIPPED on request (CHIBO_SKIP_POSTGRES=1)")
        pytest.fail("PostgreSQL 15 binaries not found under /usr/lib/postgresql/15/bin and CHIBO_TEST_POSTGRES_URL "
                    "is not set: install postgresql-15 (.ci/run does) or set CHIBO_SKIP_POSTGRES=1 to skip knowingly")
    cluster = PostgresCluster(Path(tmp_path_factory.mktemp("pg"))).start()
    yield cluster.admin_url
    cluster.stop()


def new_postgres_database(admin_url: str) -> str:
    name = f"t_{uuid.uuid4().hex[:12]}"
    engine = create_engine(admin_url, isolation_level="AUTOCOMMIT")
    with engine.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    engine.dispose()
    return admin_url.rsplit("/", 1)[0] + "/" + name


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """A fresh, empty database: each test using it runs on both backends."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'test.db'}"
    return new_postgres_database(request.getfixturevalue("postgres_admin_url"))


@pytest.fixture
def make_database_url(request, tmp_path):
    """Factory for tests that need several databases of the same backend (one per service)."""
    backend = getattr(request, "param", None) or os.environ.get("CHIBO_TEST_BACKEND", "sqlite")

    def make(name: str) -> str:
        if backend == "sqlite":
            return f"sqlite:///{tmp_path / (name + '.db')}"
        return new_postgres_database(request.getfixturevalue("postgres_admin_url"))

    make.backend = backend
    return make
