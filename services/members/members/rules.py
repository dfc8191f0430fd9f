"""Loads the lifecycle and structure rules (data, effective-dated) from members/data/lifecycle_rules.json."""
from __future__ import annotations

import json
from datetime import date
from functools import lru_cache
from pathlib import Path

from shared import calendar
from members.domain import EarlyWindow, LifecycleRules, rules_in_force

RULES_FILE = Path(__file__).resolve().parent / "data" / "lifecycle_rules.json"


def parse(data: dict) -> list[LifecycleRules]:
    holidays = calendar.public_holidays()  # one dataset for every service (shared/data/public_holidays.json)
    out = []
    for v in data["versions"]:
        badges, structure = v["badges"], v["structure"]
        out.append(LifecycleRules(
            effective_from=date.fromisoformat(v["effective_from"]),
            min_age_months=v["admission"]["min_age_months"], max_age_months=v["admission"]["max_age_months"],
            probation_months=v["probation"]["months"],
            official_decision_working_days=v["probation"]["decision_within_working_days"],
            transfer_letter_working_days=v["transfer"]["letter_within_working_days"],
            transfer_present_working_days=v["transfer"]["present_within_working_days"],
            temporary_min_months=v["temporary_transfer"]["min_months"],
            temporary_max_months_exclusive=v["temporary_transfer"]["max_months_exclusive"],
            temporary_study_max_months=v["temporary_transfer"]["study_max_months"],
            readmission_min_months=v["readmission"]["min_months_after_leaving"],
            readmission_max_times=v["readmission"]["max_times"],
            readmission_refused_causes=tuple(v["readmission"]["refused_causes"]),
            badge_milestones=tuple(badges["milestones"]),
            badge_early=tuple(EarlyWindow(w["from_years"], w["to_years"], w["months"]) for w in badges["early_award"]),
            badge_award_days=tuple((int(md[:2]), int(md[3:])) for md in badges["award_days"]),
            grassroots_min_official=structure["grassroots_min_official"],
            grassroots_committee_min_official=structure["grassroots_committee_min_official"],
            cell_committee_min_official=structure["cell_committee_min_official"],
            holidays=holidays))
    return out


@lru_cache(maxsize=4)
def _versions(path: Path) -> tuple[LifecycleRules, ...]:
    return tuple(parse(json.loads(path.read_text(encoding="utf-8"))))


def rules_on(on: date, path: Path = RULES_FILE) -> LifecycleRules:
    """The rule version in force on ``on``."""
    return rules_in_force(list(_versions(path)), on)
