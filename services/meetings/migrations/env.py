"""Alembic environment of the meetings service: the shared one, on this service's tables."""
from meetings.models import Base
from shared.migrations import run_alembic

run_alembic(Base.metadata)
