"""The hand-checked 0001 migration creates exactly what the models describe, on both backends."""
from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

from members.models import Base


def test_migrating_an_empty_database_matches_the_models(engine):
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn), Base.metadata)
        tables = set(inspect(conn).get_table_names())
    assert diff == []
    assert {"organization", "organization_parent", "member", "member_placement", "user_account", "change_log",
            "outbox", "processed_events"} <= tables
