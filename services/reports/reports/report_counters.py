"""The meetings, obligations, changes, fees and grades of a named period along the tree as it was, read from the counters
the projection keeps (period_stat, obligation_stat, change_stat, fee_stat, fee_unpaid, grade_stat: one indexed read each) instead of the
period's facts. The same counts as report._meetings, report._obligations, report_members._changes, _fees and
_grading compute at query time (tests/integration/test_counters.py compares them); shaped by the same functions."""
from __future__ import annotations

from collections import Counter

from sqlalchemy import func, literal_column, select
from sqlalchemy.orm import Session

from reports.counter_models import ChangeStat, FeeStat, FeeUnpaid, GradeStat, ObligationStat
from reports.facts import LEVELS, MEETING_KINDS
from reports.models import PeriodStat

_STAT, _OSTAT, _CSTAT = PeriodStat.__table__, ObligationStat.__table__, ChangeStat.__table__
_FSTAT, _UNPAID, _GSTAT = FeeStat.__table__, FeeUnpaid.__table__, GradeStat.__table__
_UNPAID_ROWS = _UNPAID.c.lines > literal_column("0")  # a literal: the partial index ix_fee_unpaid_unpaid (0010) matches it


def meetings(session: Session, orgs: list[str], period: str) -> dict[str, Counter]:
    """Each org's meeting counts in report._count_meetings' keys (zeros when nothing was counted)."""
    found = {org: Counter() for org in orgs}
    for start in range(0, len(orgs), 500):
        for r in session.execute(select(_STAT).where(_STAT.c.period == period,
                                                     _STAT.c.org_id.in_(orgs[start:start + 500]))).mappings():
            c = found[r["org_id"]]
            c.update({"held": r["meetings_held"], "upper": r["upper_level"], "present": r["present"],
                      "expected": r["expected"], "speakers": r["speakers"], "level:unrated": r["unrated"],
                      **{f"level:{lv}": r[lv] for lv in LEVELS}, **{f"kind:{k}": r[f"held_{k}"] for k in MEETING_KINDS}})
    return found


def obligations(session: Session, org: str, period: str) -> Counter:
    """(obligation, required | held | missed) -> count, as report._obligations counts them."""
    c: Counter = Counter()
    for obligation, required, held, missed in session.execute(
            select(_OSTAT.c.obligation, _OSTAT.c.required, _OSTAT.c.held, _OSTAT.c.missed)
            .where(_OSTAT.c.org_id == org, _OSTAT.c.period == period)):
        c.update({(obligation, "required"): required, (obligation, "held"): held, (obligation, "missed"): missed})
    return c


def changes(session: Session, org: str, period: str) -> Counter:
    """Figure key (admitted, transferred_in, …) -> count, as report_members._changes counts them."""
    return Counter(dict(session.execute(select(_CSTAT.c.kind, _CSTAT.c.count)
                                        .where(_CSTAT.c.org_id == org, _CSTAT.c.period == period)).all()))


def fees(session: Session, org: str, period: str) -> tuple[int, int, int]:
    """(due, paid, distinct unpaid members), as report_members._fees counts them from the lines."""
    row = session.execute(select(_FSTAT.c.due_vnd, _FSTAT.c.paid_vnd)
                          .where(_FSTAT.c.org_id == org, _FSTAT.c.period == period)).first()
    unpaid = session.execute(select(func.count()).select_from(_UNPAID).where(
        _UNPAID.c.org_id == org, _UNPAID.c.period == period, _UNPAID_ROWS)).scalar_one()
    return (int(row[0]), int(row[1]), unpaid) if row else (0, 0, unpaid)


def grades(session: Session, org: str, year: int) -> dict[str, Counter]:
    """Subject kind (member, organization) -> level -> count of the year's kept grades in the org's subtree on
    31 December, as report_members._grading counts them when the year is placed on that day."""
    found = {"member": Counter(), "organization": Counter()}
    for kind, level, n in session.execute(select(_GSTAT.c.subject_kind, _GSTAT.c.level, _GSTAT.c.count).where(
            _GSTAT.c.org_id == org, _GSTAT.c.year == year)):
        found[kind][level] += n
    return found
