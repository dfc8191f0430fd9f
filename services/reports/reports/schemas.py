"""Response models of the reports API."""
from __future__ import annotations

import uuid

from pydantic import BaseModel, Field


class Levels(BaseModel):
    tot: int = Field(description="Tốt / good")
    kha: int = Field(description="Khá / fairly good")
    trung_binh: int = Field(description="Trung bình / average")
    kem: int = Field(description="Kém / poor")
    unrated: int = Field(description="Chưa xếp loại / not rated yet")


class AttendanceFigures(BaseModel):
    present: int
    expected: int = Field(description="Members expected: the roster less exempt members")
    rate: float | None = Field(description="present / expected in percent, rounded half up to 1 decimal; null if 0")


class OrgFigures(BaseModel):
    org_id: uuid.UUID
    org_name: str
    period: str = Field(examples=["2026-03", "2026-Q1", "2026"])
    meetings_held: int
    levels: Levels
    attendance: AttendanceFigures


class Figures(OrgFigures):
    """An organization's figures (its whole subtree) and those of each direct child."""

    children: list[OrgFigures]
