"""National-scale figures (issue 5 item 6): the dashboard query on a national projection.

The projection is **bulk-loaded directly into the reports projection tables** (not through events: replaying
~15 million events would take hours on this machine; the replay phase measures that path). At ``--scale 1``:
34 provinces → 22 committees each → 70 grassroots committees each → 5 cells each (314,942 organizations),
about 21 members per cell (≈ 5.6 million roll spans), 12 regular meetings per cell and year plus thematic
ones (≈ 4.3 million meetings in 2025), and what the figures read besides: the per-org × period counters
(``period_stat``, rolled up the tree as the projection does), the roll's month deltas (``roll_month``, with the
projection's own pure function), lifecycle changes (``member_change``), the cells'
regular-meeting obligations (``obligation_fact``), their counters (``change_stat``, ``obligation_stat``: what
``reports.counters`` adds for each) and the annual grades of every member on the roll and of the
grassroots organizations and cells (``grade_fact`` with their paths on 31 December, ``grade_stat``).
The fees as the projection holds them (``_fees``): a ``fee_sheet`` per cell-month with its sums and path, the
``fee_stat`` counters rolled along the paths and ``fee_unpaid`` for ~4 % of the members (unpaid in one to three
months each).
Not loaded (its table stays empty): fee lines (67 million rows);
the figures measured (named periods along the tree as it was) read the fee counters, never the lines.
The alerts' tables are (``_alerts``): a ``member_info`` row per member, probations from the admissions, ~4
alerts per thousand members; the ``alerts`` section is also timed alone (``alerts_ms``).

Then ``GET /reports/api/figures`` (in-process through the app's HTTP stack, FastAPI ``TestClient``, a province
token of the org's province) for random organizations at each level (province, committee, grassroots, cell)
and each period kind (month, quarter, year), p50/p95/p99 in ms; target p99 < 50 ms. As the service does after
a start or a tree change, the first large subtree read has the provinces' subtrees read in the background
(``reports.tree.warm``), and the bench waits for it before timing; what a request pays when it comes before
that (nothing kept in memory) is timed apart (``cold_ms``).

``python -m bench.national [--scale 0.1] [--samples 30] [--database-url URL]`` alone, or in ``python -m bench``.
"""
from __future__ import annotations

import argparse
import json
import logging
import os
import random
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from sqlalchemy import func, insert, select, text, update
from sqlalchemy.engine import make_url
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
REPORTS_DIR = ROOT / "services" / "reports"
if str(REPORTS_DIR) not in sys.path:
    sys.path.append(str(REPORTS_DIR))

from shared import clock  # noqa: E402
from shared.auth import issue_token  # noqa: E402
from shared.db import make_engine, migrate  # noqa: E402

from reports import roll_months  # noqa: E402
from reports.counters import change_counts  # noqa: E402
from reports.facts import MEETING_KINDS, WIDTH  # noqa: E402
from reports.models import (  # noqa: E402
    STAT_COLUMNS, ChangeStat, FeeSheet, FeeStat, FeeUnpaid, GradeFact, GradeStat, MeetingFact, MemberChange, MemberSpan, ObligationFact, ObligationStat, OrgAttr,
    OrgNode, OrgParent, PeriodStat, ProjectionLock, RollMonth,
)
from reports.alert_models import AlertAt, MemberAlert, MemberInfo  # noqa: E402

TARGET_P99_MS = 50.0
DEFAULT_SCALE = 0.5  # the full size (1) loads in ~8.5 min on the shared 2-core machine; 0.5 fits ~5
YEAR = 2025
PROVINCES, COMMITTEES, GRASSROOTS, CELLS = 34, 22, 70, 5  # per parent, at scale 1
THEMATIC_PER_CELL = 4.4  # 12 regular + ~4.4 thematic per cell and year ≈ 4.3 million meetings
LEVELS = ("tot", "kha", "trung_binh", "kem")
PERIODS = {"month": f"{YEAR}-12", "quarter": f"{YEAR}-Q4", "year": str(YEAR)}
SECRET = "bench-national-secret-of-at-least-32-bytes"
SINCE = date(2020, 1, 1)  # the tree's (and the roll's) first day


def _id(kind: int, n: int) -> str:
    """Deterministic UUID-shaped ids, increasing with n (rows go into the primary keys in order)."""
    return f"{kind:08x}-0000-4000-8000-{n:012x}"


class Loader:
    """Rows into one table at a time, in chunks: raw executemany on SQLite, SQLAlchemy Core elsewhere."""

    def __init__(self, engine):
        self.engine, self.sqlite = engine, engine.dialect.name == "sqlite"
        self.counts: dict[str, int] = defaultdict(int)

    def put(self, table, columns: tuple[str, ...], rows: list[tuple]) -> None:
        if not rows:
            return
        self.counts[table.name] += len(rows)
        if self.sqlite:
            raw = self.engine.raw_connection()
            try:
                sql = f"INSERT INTO {table.name} ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))})"
                raw.cursor().executemany(sql, [tuple(_sqlite_value(v) for v in r) for r in rows])
                raw.commit()
            finally:
                raw.close()
            return
        with self.engine.begin() as conn:
            conn.execute(insert(table), [dict(zip(columns, r)) for r in rows])


def _sqlite_value(value):
    """Dates and times as SQLAlchemy stores them on SQLite (times in UTC, naive)."""
    if isinstance(value, datetime):
        return value.astimezone(timezone.utc).strftime("%Y-%m-%d %H:%M:%S.%f")
    return value.isoformat() if isinstance(value, date) else value


def load(engine, scale: float, seed: int = 2025) -> dict:
    """The national projection; returns the tree (ids per level) and what was loaded."""
    rng, loader = random.Random(seed), Loader(engine)
    started = time.perf_counter()
    grassroots_per = max(1, round(GRASSROOTS * scale))
    committees_per = max(1, min(COMMITTEES, round(COMMITTEES * GRASSROOTS * scale)))  # tiny scales (smoke)
    levels: dict[str, list[str]] = {"province": [], "committee": [], "grassroots": [], "cell": []}
    province_of: dict[str, str] = {}
    sector_of: dict[str, str] = {}
    nodes, parents, attrs = [], [], []
    n = 0

    def org(level: str, kind: str, name: str, parent: str | None, province: str | None) -> str:
        nonlocal n
        n += 1
        oid = _id(1, n)
        sector = "administrative" if level != "cell" else rng.choice(("administrative", "commune", "enterprise",
                                                                       "school", "army"))
        nodes.append((oid, name, kind, sector, None, SINCE, None))
        sector_of[oid] = sector
        parents.append((oid, SINCE, parent))
        attrs.extend(((oid, "name", SINCE, name), (oid, "kind", SINCE, kind), (oid, "sector", SINCE, sector)))
        levels[level].append(oid)
        province_of[oid] = province or oid
        return oid

    paths: dict[str, str] = {}  # cell -> rolled path
    for p in range(PROVINCES):
        prov = org("province", "province", f"Đảng bộ tỉnh {p + 1}", None, None)
        for c in range(committees_per):
            com = org("committee", "committee", f"Đảng bộ huyện {c + 1} – tỉnh {p + 1}", prov, prov)
            for g in range(grassroots_per):
                gr = org("grassroots", "grassroots_committee", f"Đảng bộ xã {g + 1} – huyện {c + 1}", com,
                         prov)
                for k in range(CELLS):
                    cell = org("cell", "subordinate_cell", f"Chi bộ thôn {k + 1} – xã {g + 1}", gr, prov)
                    paths[cell] = f"{cell},{gr},{com},{prov}"
    loader.put(OrgNode.__table__, ("id", "name", "kind", "sector", "cluster", "effective_from", "dissolved_on"), nodes)
    loader.put(OrgParent.__table__, ("org_id", "valid_from", "parent_id"), parents)
    loader.put(OrgAttr.__table__, ("org_id", "attr", "valid_from", "value"), attrs)
    with engine.begin() as conn:  # as tree.record_tree writes it after a batch changed the tree
        conn.execute(update(ProjectionLock.__table__).values(tree_version=uuid.uuid4().hex))
    tree_s = time.perf_counter() - started

    started = time.perf_counter()
    stats = _meetings(loader, paths, rng)
    _period_stats(loader, levels, paths, stats)
    meetings_s = time.perf_counter() - started
    started = time.perf_counter()
    members_of: dict[str, tuple[int, int]] = {}
    on_roll = _members(loader, paths, province_of, levels, rng, sector_of, members_of)
    _alerts(loader, engine, paths, random.Random(seed + 1))
    members_s = time.perf_counter() - started
    started = time.perf_counter()
    _fees(loader, paths, members_of, random.Random(seed + 2))
    fees_s = time.perf_counter() - started
    started = time.perf_counter()
    with Session(engine) as session:  # roll_base at the month the service keeps it (subscribers.roll_base_keeper)
        roll_months.rebase(session, roll_months.base_target(clock.today()))
        session.commit()
    roll_base_s = time.perf_counter() - started
    started = time.perf_counter()
    if loader.sqlite:
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    analyze_s = time.perf_counter() - started
    per_province: dict[str, dict[str, int]] = defaultdict(lambda: {"meetings": 0, "members_on_roll_end": 0})
    for cell, months in stats.items():
        per_province[province_of[cell]]["meetings"] += sum(v[0] for v in months)
    for cell, n in on_roll.items():
        per_province[province_of[cell]]["members_on_roll_end"] += n
    return {"levels": levels, "province_of": province_of, "per_province": dict(per_province),
            "loaded": {"organizations": len(nodes), "rows": dict(loader.counts),
                       "seconds": {"tree": round(tree_s, 1), "meetings_and_counters": round(meetings_s, 1),
                                   "members": round(members_s, 1),
                                   "fees": round(fees_s, 1), "roll_base": round(roll_base_s, 1),
                                   "analyze": round(analyze_s, 1)},
                       "members_of_which_roll_counters": round(on_roll_seconds.get("roll_counters", 0.0), 1)}}


def _meetings(loader: Loader, paths: dict[str, str], rng: random.Random) -> dict[str, list[list[int]]]:
    """meeting_fact rows; returns each cell's 12 monthly counter vectors."""
    columns = ("meeting_id", "organization_id", "held_on", "kind", "recorded_revision", "rated_revision", "level",
               "present", "expected", "speakers", "rolled_path", "path_tail", "upper_level_attended")
    stats: dict[str, list[list[int]]] = {}
    rows, n = [], 0
    weights = (0.35, 0.5, 0.12, 0.03)
    for cell, path in paths.items():
        months = [[0] * WIDTH for _ in range(12)]  # facts.vector's layout (models.STAT_COLUMNS)
        size = rng.randint(10, 33)
        kinds = [(m, "regular") for m in range(1, 13)]
        thematic = int(THEMATIC_PER_CELL) + (rng.random() < THEMATIC_PER_CELL % 1)
        kinds += [(rng.randint(1, 12), "thematic") for _ in range(thematic)]
        for month, kind in kinds:
            n += 1
            rated = rng.random() < 0.98
            level = rng.choices(LEVELS, weights)[0] if rated else None
            expected = size - (rng.random() < 0.2)
            present = expected - rng.randint(0, 3)
            speakers = rng.randint(1, present)
            held_on = date(YEAR, month, rng.randint(1, 28))
            upper = rng.random() < 0.1
            rows.append((_id(2, n), cell, held_on, kind, 1, int(rated), level, present, expected, speakers, path,
                         path[path.rfind(",") + 1:], upper))
            v = months[month - 1]
            v[0] += 1
            v[1 + LEVELS.index(level) if rated else 5] += 1
            v[6] += present
            v[7] += expected
            v[8] += speakers
            v[9 + MEETING_KINDS.index(kind)] += 1
            v[14] += upper
        stats[cell] = months
        if len(rows) >= 200_000:
            loader.put(MeetingFact.__table__, columns, rows)
            rows = []
    loader.put(MeetingFact.__table__, columns, rows)
    return stats


def _period_stats(loader: Loader, levels: dict[str, list[str]], paths: dict[str, str],
                  stats: dict[str, list[list[int]]]) -> None:
    """period_stat: each org's counters per month, quarter and year, rolled up the tree (as apply_batch does)."""
    _rolled_up(loader, PeriodStat.__table__, ("org_id", "period", *STAT_COLUMNS), paths, stats)


def _rolled_up(loader: Loader, table, columns: tuple[str, ...], paths: dict[str, str],
               per_cell: dict[str, list[list[int]]], key: tuple = ()) -> None:
    """Each cell's 12 monthly vectors added to every org on its path, written per month, quarter and year (the
    rows apply_batch writes: those with something counted); ``key``: more key columns after the period."""
    totals: dict[str, list[list[int]]] = {}
    for cell, months in per_cell.items():
        for org in paths[cell].split(","):
            acc = totals.setdefault(org, [[0] * len(months[0]) for _ in range(12)])
            for a, v in zip(acc, months):
                a[:] = [x + y for x, y in zip(a, v)]
    rows = []
    for org, months in totals.items():
        for m, v in enumerate(months):
            if any(v):
                rows.append((org, f"{YEAR}-{m + 1:02d}", *key, *v))
        for q in range(4):
            v = [sum(col) for col in zip(*months[q * 3:q * 3 + 3])]
            if any(v):
                rows.append((org, f"{YEAR}-Q{q + 1}", *key, *v))
        v = [sum(col) for col in zip(*months)]
        if any(v):
            rows.append((org, str(YEAR), *key, *v))
        if len(rows) >= 200_000:
            loader.put(table, columns, rows)
            rows = []
    loader.put(table, columns, rows)


class _RollLoader:
    """roll_month as the projection writes it: each span's month deltas (``roll_months.roll_deltas``, the same
    pure function) for the orgs above its cell. The tree does not move here, so a span's deltas are computed
    for its grassroots committee alone and added to the committee's and the province's as they are (the same
    sums, a third of the work); each org's rows are written once, when no later span can touch them (cells
    come grouped by grassroots committee, committee and province)."""

    def __init__(self, loader: Loader):
        self.loader, self.current = loader, [None, None, None]  # grassroots, committee, province
        self.sums: list[dict] = [{}, {}, {}]
        self.pending: list[tuple] = []
        self.seconds = 0.0

    def add(self, path: str, sector: str, span: dict) -> None:
        started = time.perf_counter()
        try:
            self._add(path, sector, span)
        finally:
            self.seconds += time.perf_counter() - started

    def _add(self, path: str, sector: str, span: dict) -> None:
        from reports.roll_months import add_into, roll_deltas
        ids = path.split(",")[1:]  # grassroots, committee, province
        for level in range(3):
            if self.current[level] != ids[level]:
                self._write(level)
                self.current[level] = ids[level]
        add_into(self.sums[0], roll_deltas(span, [(SINCE, (ids[0],))], [(SINCE, sector)]))

    def _write(self, level: int) -> None:
        """Write the finished org at ``level`` (its sums first added to the level above)."""
        if level < 2 and self.current[level] is not None:
            above = self.current[level + 1]
            for (_, month, dimension, value), n in self.sums[level].items():
                key = (above, month, dimension, value)
                self.sums[level + 1][key] = self.sums[level + 1].get(key, 0) + n
        self.pending += [(*key, n) for key, n in sorted(self.sums[level].items()) if n]
        self.sums[level] = {}
        if len(self.pending) >= 200_000:
            self._put()

    def _put(self) -> None:
        self.loader.put(RollMonth.__table__, ("org_id", "month", "dimension", "value", "delta"), self.pending)
        self.pending = []

    def flush(self) -> None:
        """The last orgs (roll_basis says "built" already: the migration ran on a database without spans)."""
        started = time.perf_counter()
        for level in range(3):
            self._write(level)
            self.current[level] = None
        self._put()
        self.seconds += time.perf_counter() - started


on_roll_seconds: dict[str, float] = {}  # the members phase's share spent on roll_month (computed and written)


def _members(loader: Loader, paths: dict[str, str], province_of: dict[str, str], levels: dict[str, list[str]],
             rng: random.Random, sector_of: dict[str, str],
             members_of: dict[str, tuple[int, int]]) -> dict[str, int]:
    """member_span (the roll), roll_month (its counters), member_change (the year's changes), obligations and
    the year's grades of members and organizations with their counters (grade_stat: what counters._grades adds
    for each); ``members_of``: each cell's member numbers (first, last) for the fees."""
    span_cols = ("member_id", "valid_from", "valid_to", "org_id", "status", "sex", "date_of_birth", "ethnicity",
                 "religion", "education_level", "political_theory_level", "party_age_start")
    change_cols = ("event_id", "member_id", "kind", "org_id", "other_org_id", "happened_on", "rolled_path",
                   "path_tail", "other_rolled_path", "other_path_tail")
    obligation_cols = ("org_id", "obligation", "period_start", "period_end", "met", "occurred_at", "rolled_path",
                       "path_tail")
    change_stats: dict[tuple[str, str, str], int] = defaultdict(int)  # what counters.py adds per change
    obligation_stats: dict[str, list[list[int]]] = {}  # each cell's regular obligations per month
    ethnicities = ("kinh",) * 17 + ("tay", "thai", "muong")
    religions = (None,) * 18 + ("buddhism", "catholicism")
    educations = ("upper_secondary", "college", "university", "university", "master", "doctorate")
    theories = ("primary", "intermediate", "intermediate", "advanced", None)
    cells_by_province: dict[str, list[str]] = defaultdict(list)
    for cell in levels["cell"]:
        cells_by_province[province_of[cell]].append(cell)
    grade_cols = ("subject_kind", "subject_id", "year", "org_id", "level", "decided_on", "occurred_at",
                  "rolled_path", "path_tail")
    grade_stats: dict[tuple[str, str, str], int] = defaultdict(int)  # (org, subject kind, level)
    decided, decided_at = date(YEAR, 12, 20), datetime(YEAR, 12, 20, 9, tzinfo=timezone.utc)
    spans, changes, obligations, grades, member_n, change_n = [], [], [], [], 0, 0
    on_roll: dict[str, int] = defaultdict(int)  # members on each cell's roll on the year's last day
    roll = _RollLoader(loader)
    for cell in paths:
        first = member_n + 1
        for _ in range(rng.randint(10, 33)):
            member_n += 1
            member = _id(3, member_n)
            joined = date(rng.randint(1970, 2025), rng.randint(1, 12), rng.randint(1, 28))
            probationary = joined.year == 2025 and rng.random() < 0.8
            left = rng.random() < 0.02
            on_roll[cell] += not left
            until = max(date(YEAR, rng.randint(1, 12), 15), joined + timedelta(days=1)) if left else None
            spans.append((member, max(joined, SINCE), until, cell,
                          "probationary" if probationary else "official", rng.choice(("male", "female")),
                          date(rng.randint(max(1930, joined.year - 60), joined.year - 18), rng.randint(1, 12), 1),
                          rng.choice(ethnicities), rng.choice(religions), rng.choice(educations), rng.choice(theories),
                          joined))
            roll.add(paths[cell], sector_of[cell], dict(zip(span_cols, spans[-1])))
            if not left:
                level = rng.choice(GRADES)
                grades.append(("member", member, YEAR, cell, level, decided, decided_at, paths[cell],
                               paths[cell].rsplit(",", 1)[-1]))
                grade_stats[(cell, "member", level)] += 1
            r = rng.random()
            kind = ("admitted" if probationary else "made_official" if r < 0.03 else "card_issued" if r < 0.05
                    else "badge_awarded" if r < 0.07 else "transferred" if r < 0.08 else None)
            if kind:
                change_n += 1
                other = rng.choice(cells_by_province[province_of[cell]]) if kind == "transferred" else None
                day = date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
                other_path = paths[other] if other else ""
                changes.append((_id(4, change_n), member, kind, cell, other, day, paths[cell],
                                paths[cell].rsplit(",", 1)[-1], other_path, other_path.rsplit(",", 1)[-1]))
                for key in change_counts(kind, tuple(paths[cell].split(",")),
                                         tuple(other_path.split(",")) if other else (), day):
                    change_stats[key] += 1
        members_of[cell] = (first, member_n)
        closed = [(cell, "regular", date(YEAR, m, 1), date(YEAR, m + 1, 1) - timedelta(days=1) if m < 12
                   else date(YEAR, 12, 31), rng.random() < 0.97, datetime(YEAR, m, 28, 10, tzinfo=timezone.utc),
                   paths[cell], paths[cell].rsplit(",", 1)[-1]) for m in range(1, 13)]
        obligation_stats[cell] = [[1, int(met), int(not met)] for *_, met, _, _, _ in closed]
        obligations += closed
        if len(spans) >= 200_000:
            loader.put(MemberSpan.__table__, span_cols, spans)
            loader.put(MemberChange.__table__, change_cols, changes)
            loader.put(ObligationFact.__table__, obligation_cols, obligations)
            loader.put(GradeFact.__table__, grade_cols, grades)
            spans, changes, obligations, grades = [], [], [], []
    loader.put(MemberSpan.__table__, span_cols, spans)
    loader.put(MemberChange.__table__, change_cols, changes)
    loader.put(ObligationFact.__table__, obligation_cols, obligations)
    _rolled_up(loader, ObligationStat.__table__, ("org_id", "period", "obligation", "required", "held", "missed"),
               paths, obligation_stats, ("regular",))
    rows = [(org, period, kind, n) for (org, period, kind), n in change_stats.items() if n]
    for i in range(0, len(rows), 200_000):
        loader.put(ChangeStat.__table__, ("org_id", "period", "kind", "count"), rows[i:i + 200_000])
    roll.flush()
    on_roll_seconds["roll_counters"] = roll.seconds
    org_paths = {**paths, **{path.split(",")[1]: path.split(",", 1)[1] for path in paths.values()}}
    for level in ("grassroots", "cell"):
        for org in levels[level]:
            grade = rng.choice(("excellent", "good", "good", "completed", "not_completed"))
            grades.append(("organization", org, YEAR, org, grade, date(YEAR + 1, 1, 20),
                           datetime(YEAR + 1, 1, 20, 9, tzinfo=timezone.utc), org_paths[org],
                           org_paths[org].rsplit(",", 1)[-1]))
            grade_stats[(org, "organization", grade)] += 1
    for i in range(0, len(grades), 200_000):
        loader.put(GradeFact.__table__, grade_cols, grades[i:i + 200_000])
    rolled: dict[tuple[str, str, str], int] = defaultdict(int)
    for (org, kind, grade), n in grade_stats.items():
        for up in org_paths[org].split(","):
            rolled[(up, kind, grade)] += n
    rows = [(org, YEAR, kind, grade, n) for (org, kind, grade), n in rolled.items()]
    for i in range(0, len(rows), 200_000):
        loader.put(GradeStat.__table__, ("org_id", "year", "subject_kind", "level", "count"), rows[i:i + 200_000])
    return on_roll


GRADES = ("excellent", "good", "good", "good", "completed", "not_completed")  # members' grades, drawn


FEE_DUE_VND = 20_000  # one member's monthly due here (domain.md: by income; the figures only sum it)
UNPAID_SHARE = 0.04  # members unpaid in some month of the year (one to three months each)


def _fees(loader: Loader, paths: dict[str, str], members_of: dict[str, tuple[int, int]], rng: random.Random) -> None:
    """The fees as the projection holds them after a year of FeesRecorded (reports.counters._fees): a fee_sheet
    per cell-month with its sums and path, fee_stat rolled along the paths, fee_unpaid for ~4 % of the members
    (each unpaid in one to three months). fee_line is NOT loaded (12 rows a member: 34 million at scale 0.5);
    the figures of a named period along the tree as it was read only the counters, so the bench measures them;
    the live query (date ranges, tree=today) would find no lines here."""
    sheet_cols = ("org_id", "month", "revision", "due_vnd", "paid_vnd", "rolled_path", "path_tail")
    per_cell: dict[str, list[list[int]]] = {}
    refs: dict[tuple[str, str, str], int] = defaultdict(int)
    sheets = []
    for cell, (first, last) in members_of.items():
        months = [[(last - first + 1) * FEE_DUE_VND, (last - first + 1) * FEE_DUE_VND] for _ in range(12)]
        path = paths[cell].split(",")
        for n in range(first, last + 1):
            if rng.random() < UNPAID_SHARE:
                member = _id(3, n)
                for m in rng.sample(range(12), rng.randint(1, 3)):
                    months[m][1] -= FEE_DUE_VND
                    for org in path:
                        for period in (f"{YEAR}-{m + 1:02d}", f"{YEAR}-Q{m // 3 + 1}", str(YEAR)):
                            refs[(org, period, member)] += 1
        per_cell[cell] = months
        sheets += [(cell, date(YEAR, m + 1, 1), 1, due, paid, paths[cell], path[-1]) for m, (due, paid) in enumerate(months)]
        if len(sheets) >= 200_000:
            loader.put(FeeSheet.__table__, sheet_cols, sheets)
            sheets = []
    loader.put(FeeSheet.__table__, sheet_cols, sheets)
    _rolled_up(loader, FeeStat.__table__, ("org_id", "period", "due_vnd", "paid_vnd"), paths, per_cell)
    rows = [(org, period, member, n) for (org, period, member), n in refs.items()]
    for i in range(0, len(rows), 200_000):
        loader.put(FeeUnpaid.__table__, ("org_id", "period", "member_id", "lines"), rows[i:i + 200_000])


ALERTS_PER_THOUSAND = 4  # removal reviews and absence limits raised in the year, per thousand members
OPEN = date.max  # member_info.probation_until while no decision closed the probation


def _alerts(loader: Loader, engine, paths: dict[str, str], rng: random.Random) -> None:
    """What the alerts read (``member_info``, ``member_alert``), as the projection would write them from the
    members loaded: a name for every member; a probation from the admission (``party_age_start``) for those
    admitted since 2018, decided 12 months and a few days later, except those admitted in the year (open) and
    one in ten of those admitted the year before (open too: overdue probations); ~4 alerts per thousand
    members, in the member's cell. Read back from ``member_span`` so ``_members`` stays as it is."""
    span = MemberSpan.__table__
    info_cols = ("member_id", "full_name", "probation_from", "probation_until", "roll_org_id", "roll_from",
                 "roll_until")
    alert_cols = ("kind", "member_id", "org_id", "year", "reason", "count", "raised_on", "meeting_id", "occurred_at",
                  "rolled_path", "path_tail")
    surnames, given = ("Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Vũ"), ("Văn Hùng", "Thị Lan", "Minh Tuấn", "Thu Hà")
    infos, alerts, seen = [], [], set()
    with engine.connect() as conn:
        rows = conn.execute(select(span.c.member_id, span.c.org_id, span.c.party_age_start, span.c.valid_from,
                                   span.c.valid_to).order_by(span.c.member_id, span.c.valid_from)).all()
    for i, (member, cell, joined, valid_from, valid_to) in enumerate(rows):
        if i + 1 < len(rows) and rows[i + 1][0] == member:
            continue  # the member's last span places them (member_facts.roll_place)
        if member in seen:
            continue
        seen.add(member)
        place = (cell, valid_from, valid_to)
        joined = date.fromisoformat(joined) if isinstance(joined, str) else joined
        since = until = None
        if joined is not None and joined.year >= 2018:
            since = joined
            decided = joined + timedelta(days=365 + rng.randint(0, 20))
            until = OPEN if joined.year == YEAR or (joined.year == YEAR - 1 and rng.random() < 0.1) else decided
        infos.append((member, f"{rng.choice(surnames)} {rng.choice(given)}", since, until, *place))
        if rng.random() < ALERTS_PER_THOUSAND / 1000:
            raised = date(YEAR, rng.randint(1, 12), rng.randint(1, 28))
            review = rng.random() < 0.5
            alerts.append(("removal_review" if review else "absence_limit", member, cell, YEAR,
                           "unpaid_fees" if review else rng.choice(("unexcused", "excused_consecutive")),
                           rng.randint(3, 6), raised, None if review else _id(5, len(alerts) + 1),
                           datetime(raised.year, raised.month, raised.day, 9, tzinfo=timezone.utc), paths[cell],
                           paths[cell].rsplit(",", 1)[-1]))
        if len(infos) >= 200_000:
            loader.put(MemberInfo.__table__, info_cols, infos)
            infos = []
    loader.put(MemberInfo.__table__, info_cols, infos)
    loader.put(MemberAlert.__table__, alert_cols, alerts)
    loader.put(AlertAt.__table__, ("kind", "member_id", "cell_id", "year", "reason", "org_id", "count", "raised_on"),
               [(a[0], a[1], a[2], a[3], a[4], org, a[5], a[6]) for a in alerts for org in a[9].split(",")])


def alerts_ms(database_url: str, tree: dict, samples: int = 10, seed: int = 11) -> dict:
    """The ``alerts`` section alone, as a figures request computes it (``report_alerts.figures`` on the
    request's tree segments, computed before the clock), per level, each period kind in turn: ms."""
    from bench.stats import summary
    from reports import report_alerts, subtrees
    from reports import tree as reports_tree
    from reports.periods import period_range

    rng, out = random.Random(seed), {}
    engine = make_engine(database_url)
    try:
        with Session(engine) as session:
            for level, orgs in tree["levels"].items():
                times = []
                for n in range(samples):
                    org, (start, end) = rng.choice(orgs), period_range(list(PERIODS.values())[n % len(PERIODS)])
                    pieces = subtrees.segments(reports_tree.subtree_parents(session, org), [org], start, end)
                    started = time.perf_counter()
                    report_alerts.figures(session, pieces, org, start, end, as_was=True)  # a named period's read
                    times.append((time.perf_counter() - started) * 1000)
                out[level] = summary(times)
    finally:
        engine.dispose()
    return out


def measure(database_url: str, tree: dict, samples: int, budget_s: float, seed: int = 7) -> dict:
    """GET /reports/api/figures for random orgs per level and period kind; milliseconds per request."""
    from fastapi.testclient import TestClient

    from bench.stats import summary
    from reports.bootstrap import create_app
    from reports.config import Settings

    settings = Settings(database_url=database_url, jwt_secret=SECRET, start_consumers=False, start_relay=False)
    app = create_app(settings)
    logging.getLogger("httpx").setLevel(logging.WARNING)  # not a line per request on the bench's output
    client = TestClient(app)  # no lifespan: no NATS, the projection is read as it is
    tokens: dict[str, str] = {}
    rng, cells, all_ms = random.Random(seed), [], []

    def get(org: str, period: str) -> float:
        province = tree["province_of"][org]
        if province not in tokens:
            tokens[province] = issue_token(SECRET, username="bench", role="province", org_id=province)
        started = time.perf_counter()
        response = client.get("/reports/api/figures", params={"org_id": org, "period": period},
                              headers={"Authorization": f"Bearer {tokens[province]}"})
        ms = (time.perf_counter() - started) * 1000
        if response.status_code != 200:
            raise RuntimeError(f"figures {org} {period}: {response.status_code} {response.text[:300]}")
        return ms

    try:
        get(tree["levels"]["province"][0], PERIODS["month"])  # warm-up: imports, the first connection
        _wait_for_tree_warm_up()  # what the service does after a start or a tree change (reports.tree.warm)
        check = _check(client, tree, tokens, app.state.runtime.engine)
        roll_sections = _roll_sections(database_url, tree, rng)
        sections = _section_times(app.state.runtime.engine, tree, random.Random(seed))
        for level, orgs in tree["levels"].items():
            for kind, period in PERIODS.items():
                times, deadline = [], time.perf_counter() + budget_s
                while len(times) < samples and (len(times) < 3 or time.perf_counter() < deadline):
                    times.append(get(rng.choice(orgs), period))
                all_ms += times
                cells.append({"level": level, "period": kind, **summary(times)})
        cold = _cold(get, tree, rng)
    finally:
        app.state.runtime.engine.dispose()
    worst = max(c["p99"] for c in cells)
    return {"cells": cells, "all": summary(all_ms), "worst_p99_ms": worst, "target_p99_ms": TARGET_P99_MS,
            "meets_target": worst < TARGET_P99_MS, "check": check, "roll_section_ms": roll_sections,
            "sections_ms": sections, "cold_ms": cold}


COLD_SAMPLES = 10


def _wait_for_tree_warm_up() -> None:
    import threading
    for thread in threading.enumerate():
        if thread.name == "reports-tree-warm":
            thread.join()


def _cold(get, tree: dict, rng: random.Random) -> dict:
    """The year's figures of random orgs per level with the tree kept in memory by nobody: every kept subtree,
    piece, name and IN list dropped before each request and no warm-up (a request right after a start or a
    tree change, before reports.tree.warm has read the provinces)."""
    from bench.stats import summary
    from reports import tree as reports_tree
    out, warm_from = {}, reports_tree.WARM_FROM
    reports_tree.WARM_FROM = 1 << 62
    try:
        for level, orgs in tree["levels"].items():
            times = []
            for _ in range(COLD_SAMPLES):
                for cache in (reports_tree._SUBTREES, reports_tree._PIECES, reports_tree._HISTORIES,
                              reports_tree._ENCODED):
                    cache.clear()
                times.append(get(rng.choice(orgs), PERIODS["year"]))
            out[level] = summary(times)
    finally:
        reports_tree.WARM_FROM = warm_from
    return out


ROLL_SAMPLES = {"province": 3, "committee": 8, "grassroots": 8, "cell": 8}


def _roll_sections(database_url: str, tree: dict, rng: random.Random) -> dict:
    """The members' roll section alone on 31 December, live (``live_roll``: the spans) and from the counters
    (``_roll`` with the root: roll_month), one after the other for the same random orgs of each level; both
    answers must be equal (the counters as loaded are what the projection would keep)."""
    from bench.stats import summary
    from reports import report_members, subtrees
    from reports import tree as reports_tree
    day, engine = date(YEAR, 12, 31), make_engine(database_url)
    out: dict = {"consistent": True}
    try:
        with Session(engine) as session:
            for level, count in ROLL_SAMPLES.items():
                live, counters = [], []
                for org in rng.sample(tree["levels"][level], min(count, len(tree["levels"][level]))):
                    parents = reports_tree.subtree_parents(session, org)
                    pieces = subtrees.segments(parents, [org], date(YEAR, 12, 1), day)
                    under = subtrees.piece_of(pieces, day)[2][org]
                    started = time.perf_counter()
                    slow = report_members.live_roll(session, under, day)
                    live.append((time.perf_counter() - started) * 1000)
                    started = time.perf_counter()
                    fast = report_members._roll(session, under, day, org)
                    counters.append((time.perf_counter() - started) * 1000)
                    out["consistent"] &= fast == slow
                out[level] = {"live": summary(live), "counters": summary(counters)}
    finally:
        engine.dispose()
    return out


def _check(client, tree: dict, tokens: dict[str, str], engine) -> dict:
    """One province's year read back: the API's meetings, obligations, changes and grading (from the counters)
    equal the live computation from the facts, its meetings those loaded, and its roll counts every member loaded under it
    (the load is what the projection would have built)."""
    from reports import report, report_alerts
    from reports import tree as reports_tree
    from reports.periods import period_range
    province = tree["levels"]["province"][0]
    body = client.get("/reports/api/figures", params={"org_id": province, "period": PERIODS["year"]},
                      headers={"Authorization": f"Bearer {tokens[province]}"}).json()
    with Session(engine) as session:
        live = report.report(session, province, *period_range(PERIODS["year"]))  # no period: from the facts
        start, end = period_range(PERIODS["year"])
        pieces = reports_tree.pieces(session, [province], start, end)
        alerts_equal = (report_alerts.figures(session, pieces, province, start, end, as_was=True)
                        == report_alerts.figures(session, pieces, province, start, end))  # alert_at vs by org
    loaded = tree["per_province"][province]
    sheets = FeeSheet.__table__
    with engine.connect() as conn:  # the province's sheets as loaded (no fee lines: the live query finds none)
        due, paid = conn.execute(select(func.coalesce(func.sum(sheets.c.due_vnd), 0),
                                        func.coalesce(func.sum(sheets.c.paid_vnd), 0))
                                 .where(sheets.c.path_tail == province)).one()
    fees_equal_sheets = (body["fees"]["due_vnd"], body["fees"]["collected_vnd"]) == (int(due), int(paid))
    counters_equal_live = (body["meetings"] == live["meetings"] and body["changes"] == live["changes"]
                           and body["grading"] == live["grading"])
    return {"province": province, "meetings_held": body["meetings_held"], "meetings_from_counters": body["meetings"]["held"],
            "meetings_from_facts": live["meetings"]["held"], "meetings_loaded": loaded["meetings"],
            "obligations_required": body["meetings"]["obligations"]["regular"]["required"],
            "changes_admitted": body["changes"]["admitted"], "counters_equal_live": counters_equal_live,
            "members_graded": body["grading"]["members"]["total"],
            "members_total": body["members"]["total"], "members_loaded": loaded["members_on_roll_end"],
            "fees_due_vnd": body["fees"]["due_vnd"], "unpaid_members": body["fees"]["unpaid_members"],
            "fees_equal_sheets": fees_equal_sheets, "alerts_placed_equal_selected": alerts_equal,
            "consistent": counters_equal_live and fees_equal_sheets and alerts_equal and body["meetings_held"] == live["meetings"]["held"] == loaded["meetings"]
            and body["members"]["total"] == loaded["members_on_roll_end"]}


def _section_times(engine, tree: dict, rng: random.Random, orgs: int = 5) -> dict:
    """The four sections the counters replace, timed both ways on the same orgs (the year; ms, mean of
    ``orgs`` random provinces and committees): live from the facts (report._meetings, report._obligations,
    report_members._changes, _grading) and from the counters (report_counters)."""
    from reports import report, report_counters, report_members, subtrees
    from reports import tree as reports_tree
    from reports.periods import period_range
    period = PERIODS["year"]
    start, end = period_range(period)
    out: dict = {}
    for level in ("province", "committee"):
        sums: dict[str, float] = defaultdict(float)
        picked = [rng.choice(tree["levels"][level]) for _ in range(orgs)]
        with Session(engine) as session:
            for org in picked:
                pieces = subtrees.segments(reports_tree.subtree_parents(session, org), [org], start, end)
                for name, fn in (
                        ("meetings_live", lambda: report._meetings(session, pieces, [org])),
                        ("meetings_counters", lambda: report_counters.meetings(session, [org], period)),
                        ("obligations_live", lambda: report._obligations(session, pieces, org)),
                        ("obligations_counters", lambda: report_counters.obligations(session, org, period)),
                        ("changes_live", lambda: report_members._changes(session, pieces, org)),
                        ("changes_counters", lambda: report_counters.changes(session, org, period)),
                        ("grading_live", lambda: report_members._grading(session, pieces, org, start, end)),
                        ("grading_counters", lambda: report_counters.grades(session, org, end.year))):
                    started = time.perf_counter()
                    fn()
                    sums[name] += (time.perf_counter() - started) * 1000
        out[level] = {name: round(total / orgs, 1) for name, total in sums.items()}
    return out


def run(scale: float, workdir: Path, samples: int = 30, budget_s: float = 20.0,
        database_url: str | None = None) -> dict:
    url = database_url or f"sqlite:///{workdir / 'reports-national.db'}"
    migrate(REPORTS_DIR, url)
    engine = make_engine(url)
    try:
        tree = load(engine, scale)
        with engine.connect() as conn:
            meetings = conn.execute(select(func.count()).select_from(MeetingFact.__table__)).scalar_one()
            members = conn.execute(select(func.count()).select_from(MemberSpan.__table__)
                                   .where(MemberSpan.__table__.c.valid_to.is_(None))).scalar_one()
    finally:
        engine.dispose()
    size = os.path.getsize(workdir / "reports-national.db") if database_url is None else None
    figures = measure(url, tree, samples, budget_s)
    alerts = alerts_ms(url, tree, samples)
    full = {"organizations": 314_942, "members": 5_600_000, "meetings": 4_300_000}
    return {"scale": scale, "database": make_url(url).get_backend_name(), "year": YEAR, "periods": PERIODS,
            **tree["loaded"], "members_on_roll": members, "meetings": meetings,
            "levels": {k: len(v) for k, v in tree["levels"].items()}, "database_bytes": size,
            "of_national": {"organizations": round(tree["loaded"]["organizations"] / full["organizations"], 3),
                            "members": round(members / full["members"], 3),
                            "meetings": round(meetings / full["meetings"], 3)},
            "samples_per_cell": samples, "figures_ms": figures, "alerts_section_ms": alerts}


def markdown(result: dict) -> str:
    f = result["figures_ms"]
    lines = [f"## National-scale figures (scale {result['scale']}, {result['database']}, bulk-loaded)", "",
             f"{result['organizations']:,} organizations ({result['levels']['province']} provinces, "
             f"{result['levels']['committee']:,} committees, {result['levels']['grassroots']:,} grassroots, "
             f"{result['levels']['cell']:,} cells), {result['members_on_roll']:,} members on the roll, "
             f"{result['meetings']:,} meetings in {result['year']}; load "
             f"{sum(result['seconds'].values()):.0f} s.", "",
             "| level | period | requests | p50 ms | p95 ms | p99 ms | max ms |", "|---|---|---:|---:|---:|---:|---:|"]
    for c in f["cells"]:
        lines.append(f"| {c['level']} | {c['period']} | {c['count']} | {c['p50']} | {c['p95']} | {c['p99']} "
                     f"| {c['max']} |")
    lines += ["", f"Worst p99 **{f['worst_p99_ms']} ms** (target < {f['target_p99_ms']:.0f} ms: "
              f"{'met' if f['meets_target'] else 'NOT met'}); one province's year read back consistent with the "
              f"load, its counters equal to the live computation: {'yes' if f['check']['consistent'] else 'NO'}.", "",
              "| sections of a year, mean ms | meetings live / counters | obligations live / counters "
              "| changes live / counters | grading live / counters |", "|---|---:|---:|---:|---:|"]
    for level, t in f.get("sections_ms", {}).items():
        lines.append(f"| {level} | {t['meetings_live']} / {t['meetings_counters']} | {t['obligations_live']} / "
                     f"{t['obligations_counters']} | {t['changes_live']} / {t['changes_counters']} "
                     f"| {t['grading_live']} / {t['grading_counters']} |")
    lines += ["", "Roll section alone, 31 December (ms, p50 / max):", "", "| level | live | counters |", "|---|---:|---:|"]
    r = f["roll_section_ms"]
    for level in ROLL_SAMPLES:
        lines.append(f"| {level} | {r[level]['live']['p50']} / {r[level]['live']['max']} "
                     f"| {r[level]['counters']['p50']} / {r[level]['counters']['max']} |")
    lines += ["", f"Counters equal the live roll for every org sampled: {'yes' if r['consistent'] else 'NO'}.", ""]
    if f.get("cold_ms"):
        lines += [f"First request after a start or a tree change, before the warm-up (year, nothing kept in "
                  f"memory, {COLD_SAMPLES} random orgs per level, ms p50 / max): " + ", ".join(
                      f"{level} {c['p50']} / {c['max']}" for level, c in f["cold_ms"].items()), ""]
    lines += ["The `alerts` section alone (report_alerts.figures, ms p50 / p99): " + ", ".join(
        f"{level} {a['p50']} / {a['p99']}" for level, a in result.get("alerts_section_ms", {}).items()), ""]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.national", description=__doc__.split("\n\n")[0])
    parser.add_argument("--scale", type=float, default=DEFAULT_SCALE,
                        help="fraction of the national size: grassroots per committee (below 1/70: committees too)")
    parser.add_argument("--samples", type=int, default=30, help="requests per level × period kind")
    parser.add_argument("--budget-seconds", type=float, default=20.0, help="at most this long per level × period "
                                                                           "(at least 3 requests)")
    parser.add_argument("--database-url", help="an empty PostgreSQL database (default: a temp SQLite file)")
    parser.add_argument("--workdir", type=Path, help="keep the SQLite file here (default: a temp folder, deleted)")
    args = parser.parse_args(argv)
    if args.workdir:
        args.workdir.mkdir(parents=True, exist_ok=True)
        result = run(args.scale, args.workdir, args.samples, args.budget_seconds, args.database_url)
    else:
        with tempfile.TemporaryDirectory(prefix="chibo-national-") as workdir:
            result = run(args.scale, Path(workdir), args.samples, args.budget_seconds, args.database_url)
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False, default=str) + "\n" + markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
