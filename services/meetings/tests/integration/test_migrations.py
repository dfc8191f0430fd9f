"""The hand-written migration creates exactly what the models describe, on both backends."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from shared.db import make_engine, migrate

from meetings.bootstrap import SERVICE_DIR
from meetings.models import Base


def test_the_migration_matches_the_models_and_can_run_twice(database_url):
    migrate(SERVICE_DIR, database_url)
    migrate(SERVICE_DIR, database_url)  # already at head: nothing to do
    engine = make_engine(database_url)
    try:
        with engine.connect() as conn:
            assert compare_metadata(MigrationContext.configure(conn), Base.metadata) == []
    finally:
        engine.dispose()
