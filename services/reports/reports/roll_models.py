"""Tables of migrations 0004_roll and 0012_roll_base: the member roll's month deltas and their sums up to a base
month (see roll_months.py)."""
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


class RollBase(Base, table=True):
    """The SUM of ``roll_month.delta`` over the months up to ``roll_basis.base_month``, per org, dimension and
    value: the roll on a later month's last day adds only the months after the base to it."""

    __tablename__ = "roll_base"
    __table_args__ = {"sqlite_with_rowid": False}
    org_id: str = Field(primary_key=True, max_length=36)
    dimension: str = Field(primary_key=True, max_length=30)
    value: str = Field(primary_key=True, max_length=300)
    total: int = 0


class RollBasis(Base, table=True):
    """``form`` = roll_months.FORM: ``roll_month`` holds every span (absent: the figures read the live roll).
    ``base_month`` (YYYY-MM): ``roll_base`` holds the sums up to that month (None: no base, every month is read)."""

    __tablename__ = "roll_basis"
    id: int = Field(default=1, primary_key=True)
    form: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    base_month: str | None = Field(default=None, max_length=7)
