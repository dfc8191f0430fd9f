"""Rules across meetings, read from ``meeting_rule`` (versioned, scoped data; seeded from
migrations/data/meeting_rules_v1.json): absence limits per member-year and the annual rating of a
cell's monthly meetings."""
from __future__ import annotations

import uuid
from datetime import date, datetime, timezone
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import Session

from shared.events import AbsenceLimitReached

from meetings import orgs, rubrics
from meetings.models import AbsenceAlert, MeetingRating
from meetings.ratings import RATER, History, Sheet, cell_history
from meetings.rubric import LEVELS

MISSING = len(LEVELS)  # a month without a rated monthly meeting ranks below Kém


class NoRulesError(LookupError):
    """No rule set is in force for a cell and date."""


def rules_for(session: Session, org_id: str, on: date) -> dict[str, Any]:
    found = rubrics.rules_in_force(session, orgs.lineage_on(session, org_id, on), on)
    if found is None:
        raise NoRulesError(f"no meeting rules in force on {on} for {org_id}")
    return found.definition


def absence_alerts(session: Session, sheet: Sheet, history: History | None = None) -> list[AbsenceLimitReached]:
    """AbsenceLimitReached for members of this meeting who reach a limit in its year, once per member-year-rule.

    ``unexcused``: the N-th absence without excuse in the year (N = ``absence.unexcused_per_year``);
    ``excused_consecutive``: more than ``absence.excused_consecutive_max`` absences with excuse in a row."""
    limits = rules_for(session, sheet.organization_id, sheet.held_on)["absence"]
    year = sheet.held_on.year
    history = (history or cell_history(session, sheet.organization_id, year, exclude=sheet.meeting_id)).with_sheet(sheet)
    upto = (sheet.held_on, sheet.meeting_id)
    events = []
    for line in sheet.attendance:
        if line.status == "absent_unexcused":
            count, rule = history.count(line.member_id, "absent_unexcused", upto), "unexcused"
            reached = count >= limits["unexcused_per_year"]
        elif line.status == "absent_excused":
            count, rule = history.excused_streak(line.member_id, upto), "excused_consecutive"
            reached = count > limits["excused_consecutive_max"]
        else:
            continue
        if reached and session.get(AbsenceAlert, (line.member_id, year, rule)) is None:
            session.add(AbsenceAlert(member_id=line.member_id, year=year, rule=rule, organization_id=sheet.organization_id,
                                     count=count, meeting_id=sheet.meeting_id, raised_at=datetime.now(timezone.utc)))
            events.append(AbsenceLimitReached(member_id=uuid.UUID(line.member_id),
                                              organization_id=uuid.UUID(sheet.organization_id), rule=rule, year=year,
                                              count=count, meeting_id=uuid.UUID(sheet.meeting_id), actor=RATER))
    session.flush()
    return events


def annual_rating(session: Session, org_id: str, year: int) -> dict[str, Any]:
    """The year's rating of a cell's monthly meetings from their current computed ratings (MeetingRated basis).

    Per month the latest monthly meeting held counts. Levels are tried best first (rule data ``annual.levels``):
    ``each_month_at_least`` (every month of the year at that level or better) and ``at_least`` (that many months at
    the given level or better); the first level met is the year's, else ``annual.otherwise``."""
    rules = rules_for(session, org_id, date(year, 12, 31))["annual"]
    top = (select(MeetingRating.meeting_id, func.max(MeetingRating.revision).label("revision"))
           .where(MeetingRating.organization_id == org_id, MeetingRating.held_on >= date(year, 1, 1),
                  MeetingRating.held_on <= date(year, 12, 31)).group_by(MeetingRating.meeting_id).subquery())
    ratings = session.execute(select(MeetingRating).join(top, and_(
        MeetingRating.meeting_id == top.c.meeting_id, MeetingRating.revision == top.c.revision))
        .where(MeetingRating.kind.in_(rules["monthly_kinds"])).order_by(MeetingRating.held_on)).scalars().all()
    months: dict[int, MeetingRating] = {}
    for rating in ratings:
        months[rating.held_on.month] = rating  # the latest meeting held in the month
    ranks = [LEVELS.index(months[m].level) if m in months else MISSING for m in range(1, 13)]
    level = decide(rules, ranks)
    return {"organization_id": org_id, "year": year, "level": level,
            "months": [{"month": m, "meeting_id": months[m].meeting_id if m in months else None,
                        "level": months[m].level if m in months else None,
                        "score": months[m].score if m in months else None,
                        "revision": months[m].revision if m in months else None} for m in range(1, 13)],
            "counts": {lv: sum(1 for r in ranks if r == i) for i, lv in enumerate(LEVELS)},
            "months_without_meeting": sum(1 for r in ranks if r == MISSING), "rules": rules}


def decide(rules: dict[str, Any], ranks: list[int]) -> str:
    """Pure: the annual level for the twelve months' ranks (index in LEVELS; MISSING for no meeting)."""
    for spec in rules["levels"]:
        floor = spec.get("each_month_at_least")
        if floor is not None and any(r > LEVELS.index(floor) for r in ranks):
            continue
        need = spec.get("at_least")
        if need and sum(1 for r in ranks if r <= LEVELS.index(need["level"])) < need["count"]:
            continue
        return spec["level"]
    return rules["otherwise"]
