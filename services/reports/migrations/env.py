"""Alembic environment of the reports service: the shared one, on this service's tables."""
from reports.models import Base
from shared.migrations import run_alembic

run_alembic(Base.metadata)
