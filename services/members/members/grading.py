"""Pure annual-grading rules (QĐ 366-QĐ/TW 30/8/2025 Art. 11, domain.md §2). No I/O.

The thresholds and the quota are data (a ``GradeScale`` row of the versioned
``grade_scale`` table, seeded by migration 0002_finance); the level is always
computed from the score, never typed.
"""
from __future__ import annotations

import math
from dataclasses import dataclass
from decimal import Decimal

LEVELS = ("excellent", "good", "completed", "not_completed")
LEVEL_LABELS_VI = {"excellent": "Hoàn thành xuất sắc nhiệm vụ", "good": "Hoàn thành tốt nhiệm vụ",
                   "completed": "Hoàn thành nhiệm vụ", "not_completed": "Không hoàn thành nhiệm vụ"}
QUOTA_MODES = ("warn", "refuse", "off")


@dataclass(frozen=True)
class GradeScale:
    from_year: int
    excellent_min: Decimal  # ≥ 90
    good_min: Decimal  # 70 – < 90
    completed_min: Decimal  # 50 – < 70; below: not completed
    excellent_quota_percent: Decimal  # excellent ≤ this % of those rated good (per grassroots organization)
    quota_mode: str = "warn"  # warn | refuse | off
    source: str = ""


@dataclass(frozen=True)
class QuotaCheck:
    excellent: int
    good: int
    allowed: int
    exceeded: bool

    @property
    def message_vi(self) -> str:
        return (f"Vượt tỷ lệ: {self.excellent} xuất sắc, chỉ được tối đa {self.allowed} "
                f"(không quá tỷ lệ quy định so với {self.good} hoàn thành tốt) trong tổ chức cơ sở đảng")

    @property
    def message_en(self) -> str:
        return (f"Quota exceeded: {self.excellent} excellent, at most {self.allowed} allowed "
                f"(the set share of the {self.good} rated good) in the grassroots organization")


class ScoreOutOfRange(ValueError):
    pass


def scale_for(year: int, versions: list[GradeScale]) -> GradeScale | None:
    candidates = [v for v in versions if v.from_year <= year]
    return max(candidates, key=lambda v: v.from_year) if candidates else None


def level_for(score: Decimal | float, scale: GradeScale) -> str:
    score = Decimal(str(score))
    if score < 0 or score > 100:
        raise ScoreOutOfRange(score)
    if score >= scale.excellent_min:
        return "excellent"
    if score >= scale.good_min:
        return "good"
    if score >= scale.completed_min:
        return "completed"
    return "not_completed"


def check_quota(levels: list[str], scale: GradeScale) -> QuotaCheck:
    """Excellent ≤ quota % of the number rated good, over the grades of one grassroots organization and year
    (the literal rule: 10 good allow 2 excellent, 4 good allow none)."""
    excellent, good = levels.count("excellent"), levels.count("good")
    allowed = math.floor(Decimal(good) * scale.excellent_quota_percent / 100)
    return QuotaCheck(excellent, good, allowed, excellent > allowed)
