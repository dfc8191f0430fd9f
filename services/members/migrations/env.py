"""Alembic environment of the members service: the shared one, on this service's tables."""
from members.models import Base
from shared.migrations import run_alembic

run_alembic(Base.metadata)
