"""Tables of migration 0004_roll: the member roll's month deltas (see roll_months.py)."""
from __future__ import annotations

from sqlalchemy import Column, Text
from sqlmodel import Field

from reports.models import Base


class RollMonth(Base, table=True):
    """f(M) - f(M - 1) of the roll on months' last days: the sum up to M is the roll of ``org_id``'s subtree
    (the tree as it was) on M's last day, per dimension and value."""

    __tablename__ = "roll_month"
    __table_args__ = {"sqlite_with_rowid": False}
    org_id: str = Field(primary_key=True, max_length=36)
    month: str = Field(primary_key=True, max_length=7)  # YYYY-MM
    dimension: str = Field(primary_key=True, max_length=30)
    value: str = Field(primary_key=True, max_length=300)  # a profile value, band code or sector
    delta: int = 0


class RollBasis(Base, table=True):
    """``form`` = roll_months.FORM: ``roll_month`` holds every span (absent: the figures read the live roll)."""

    __tablename__ = "roll_basis"
    id: int = Field(default=1, primary_key=True)
    form: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
