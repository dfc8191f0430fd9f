"""The one Alembic environment every service's ``migrations/env.py`` runs.

No ``fileConfig``: the service (or the runner) configures logging. SQLite gets
batch mode so ALTERs work there too."""
from __future__ import annotations

from alembic import context
from sqlalchemy import MetaData, engine_from_config, pool


def run_alembic(target_metadata: MetaData) -> None:
    config = context.config
    if context.is_offline_mode():
        url = config.get_main_option("sqlalchemy.url")
        context.configure(url=url, target_metadata=target_metadata, literal_binds=True,
                          render_as_batch=url.startswith("sqlite"))
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = engine_from_config(config.get_section(config.config_ini_section, {}), prefix="sqlalchemy.",
                                poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, target_metadata=target_metadata,
                          render_as_batch=connection.dialect.name == "sqlite")
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()
