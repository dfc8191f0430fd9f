"""The member roll on a month's last day, from counters kept by the projection (``roll_month``).

What is counted is exactly what ``report_members._roll`` computes at query time along the tree as it was:
the members whose span holds the day (valid_from <= day < valid_to), by status, profile dimension, age and
party-age band (whole years to the day, from the band set in force that day: ``stat_band``) and sector (the
cell's sector that day), summed into every organization on the cell's path that day.

**Month deltas (prefix sums).** A span adds f(X, M) (0 or 1 per org X, dimension and value) on the last day of
each month M; ``roll_month`` holds f(M) - f(M - 1) per (org, month, dimension, value), so the roll of X on
the last day of M is the SUM of X's deltas up to M (plus X's own spans, below): no horizon, and an open span
costs nothing per month. One pure function, ``roll_deltas``, gives a span's rows (the projection, the tests
and the bench use it).

**Birth-month cohorts, not bands.** The counters keep the month of birth (``born``) and the month the party age
starts (``party_since``) as values, and the read turns each cohort into its band with the band set in force on
the day asked. On a month's last day the whole years of someone born in month m of year y depend only on (y, m)
(the last day of m is on or after any day of m), except for 29 February in a common year, kept as its own value
(``YYYY-02-29``). So f changes only at the span's first and last month and where the cell's path or sector
changes: a span gives ~10 rows per org above it, where counting the bands themselves gave a pair of rows at
every band boundary crossed (~40 per org, most of them decades ahead: measured 3x the rows and 2x the replay
time), and a new band set (data, ``stat_band``, added by a migration) applies at once, with no re-roll.

**Only the orgs above a span's cell** get its deltas: a cell's own roll (a few dozen spans, read through the
``org_id`` index) is cheap to compute live, and leaving it out removes the rows no other member shares. The
roll of X on M's last day = SUM(X's deltas up to M) + the live roll of the spans on X's own roll.

**Maintenance without stored paths.** The counters are kept equal to F(spans, tree, sectors) after every batch:
whatever changes an input first subtracts the deltas of the spans it touches computed from the inputs as they
are (before the change), then adds them computed after it. A member's roll events refold their spans
(``lifecycle._members``: old spans out, new in, along the tree as now known); a tree event re-rolls the spans
of every cell that was or is under the orgs it moved or created (``before_tree``/``after_tree`` around
``tree.record_tree``; an org learned late is one of them), a sector change the spans of that cell. Nothing on
a span remembers what it was rolled along: the previous tree is still in the database when its deltas are
subtracted. Tree events may arrive in any order relative to the members': the counters are a function of the
facts and the tree (tests: test_roll_months.py).

**A base month.** Summing an org's deltas from its first month costs more every month (a province at national
scale: ~22,000 rows, ~15 ms). ``roll_base`` keeps each org's sums up to ``roll_basis.base_month``, so the roll on
a later month's last day reads those sums plus the months after the base, and on an earlier one (up to
``BEFORE_BASE`` months back) those sums minus the months between (``roll``); further back it sums from the start
(the same answer each way). ``write`` adds a delta dated up to the base to ``roll_base`` too; ``advance_base``
moves the base forward, adding the months it passes, under the projection's lock. The base is kept at December
of last year (``base_target``): last year's annual report reads the base alone, this year's months and last
year's read it and at most 11 months of deltas; kept by a background job of the service (``base_keeper``),
started by 0012_roll_base at the December before (the keeper moves it on at start).

``roll_basis`` says the counters are built: 0004_roll builds them (empty) on a database without spans; one that
had spans before it reads the live roll until ``python -m reports.cli reroll`` rebuilds ``roll_month`` from
``member_span``.
"""
from __future__ import annotations

from bisect import bisect_right
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from functools import lru_cache

from sqlalchemy import and_, delete, func, literal_column, select, union_all, update
from sqlalchemy.orm import Session

from shared.events import OrganizationCreated, OrganizationMoved, OrganizationReclassified
from reports import tree
from reports.models import MemberSpan, OrgAttr, OrgParent, ProjectionLock, RollBase, RollBasis, RollMonth, StatBand
from reports.upsert import upsert

UNKNOWN = "unknown"
PROFILE = ("sex", "ethnicity", "religion", "education_level", "political_theory_level")
COHORTS = (("born", "age_band", "age", "date_of_birth"),
           ("party_since", "party_age_band", "party_age", "party_age_start"))  # kept, shown, stat_band, column
DIMENSIONS = ("status", *PROFILE, "born", "party_since", "sector")
_ROLL, _BASIS, _SPAN, _BAND, _ATTR, _PARENT = (RollMonth.__table__, RollBasis.__table__, MemberSpan.__table__,
                                              StatBand.__table__, OrgAttr.__table__, OrgParent.__table__)
_BASE = RollBase.__table__

Key = tuple[str, str, str, str]  # org, month "YYYY-MM", dimension, value
Deltas = dict[Key, int]
Bands = tuple[tuple[int, str], ...]  # (min_years, code), highest first
BandSets = dict[str, list[tuple[date, Bands]]]  # "age" | "party_age" -> [(valid_from, bands)], sorted
Segments = list[tuple[date, object]]  # [(from_day, value)], sorted; before the first day: the first value


# ---- pure rules --------------------------------------------------------------------------------------------

def month_index(day: date) -> int:
    return day.year * 12 + day.month - 1


def month_label(index: int) -> str:
    return f"{index // 12:04d}-{index % 12 + 1:02d}"


def month_end(index: int) -> date:
    year, month = divmod(index + 1, 12)
    return date(year, month + 1, 1) - timedelta(days=1)


def is_month_end(day: date) -> bool:
    return (day + timedelta(days=1)).day == 1


def cohort(day: date | None) -> str:
    """A birth (or party-age start) month as kept: ``YYYY-MM``; ``YYYY-02-29`` for 29 February."""
    if day is None:
        return UNKNOWN
    return day.isoformat() if (day.month, day.day) == (2, 29) else day.isoformat()[:7]


def cohort_start(value: str) -> date | None:
    """A date of the cohort with the same whole years as any of its members on every month's last day."""
    if value == UNKNOWN:
        return None
    return date.fromisoformat(value) if len(value) == 10 else date.fromisoformat(value + "-01")


def band_on(band_sets: BandSets, dimension: str, anchor: date | None, day: date) -> str:
    """The band (of the set in force on ``day``) of the whole years between ``anchor`` and ``day``: the SQL
    CASE of ``report_members._band`` (``anchor <= years_before(day, min_years)``), in Python."""
    return band_of(bands_on(band_sets, dimension, day), anchor, day)


def bands_on(band_sets: BandSets, dimension: str, day: date) -> Bands:
    """The band set in force on ``day`` (empty: none)."""
    sets = band_sets.get(dimension, [])
    index = bisect_right([since for since, _ in sets], day) - 1
    return sets[index][1] if index >= 0 else ()


def band_of(bands: Bands, anchor: date | None, day: date) -> str:
    if not bands or anchor is None:
        return UNKNOWN
    # whole years; the same as anchor <= years_before(day, m) for every m (29 February: the 28th, so someone
    # born on 29 February completes a year on 1 March of a common year)
    years = day.year - anchor.year - ((day.month, day.day) < (anchor.month, anchor.day))
    for min_years, code in bands:
        if years >= min_years:
            return code
    return bands[-1][1]


def roll_deltas(span: Mapping, path_segments: Segments, sector_segments: Segments) -> Deltas:
    """The span's contribution to ``roll_month``: f(M) - f(M - 1) for every org, month, dimension and value
    where it is not 0. ``span``: a member_span row (valid_from, valid_to, status, profile columns);
    ``path_segments``: [(from_day, (org, parent, …))], the orgs it counts in; ``sector_segments``: the cell's
    [(from_day, sector)] (empty: unknown)."""
    first = month_index(span["valid_from"])  # its last day is on or after valid_from
    stop = month_index(span["valid_to"]) if span["valid_to"] is not None else None  # first month off the roll
    if stop is not None and stop <= first:
        return {}
    changes = {month_index(since) for since, _ in (*path_segments, *sector_segments)}
    months = sorted(m for m in changes if m > first and (stop is None or m < stop))
    fixed = (span["status"] or UNKNOWN, *(span[d] or UNKNOWN for d in PROFILE),
             *(cohort(span[column]) for *_, column in COHORTS))
    out: Deltas = {}
    before: tuple = ((), ())
    for month in [first, *months]:
        day = month_end(month)
        now = (_value_on(path_segments, day),
               (*fixed, _value_on(sector_segments, day) if sector_segments else UNKNOWN))
        if now != before:
            _difference(out, month_label(month), before, now)
            before = now
    if stop is not None:
        _difference(out, month_label(stop), before, ((), ()))
    return out


def _value_on(segments: Segments, day: date):
    index = bisect_right([since for since, _ in segments], day) - 1
    return segments[max(index, 0)][1]


def _difference(out: Deltas, month: str, old, new) -> None:
    (old_path, old_values), (new_path, new_values) = old, new
    for org in dict.fromkeys((*old_path, *new_path)):
        was = old_values if org in old_path else ()
        now = new_values if org in new_path else ()
        for i, dimension in enumerate(DIMENSIONS):
            a = was[i] if was else None
            b = now[i] if now else None
            if a == b:
                continue
            if a is not None:
                key = (org, month, dimension, a)
                out[key] = out.get(key, 0) - 1
            if b is not None:
                key = (org, month, dimension, b)
                out[key] = out.get(key, 0) + 1


def add_into(total: Deltas, deltas: Mapping[Key, int], sign: int = 1) -> None:
    for key, n in deltas.items():
        total[key] = total.get(key, 0) + sign * n


def path_segments(parents: tree.Parents, cell: str) -> Segments:
    """The cell's path on every day: [(from_day, path)], cut at every parent change along any path it had."""
    days, seen, frontier = set(), {cell}, [cell]
    while frontier:  # every org the cell can reach (any day), and their change days
        found = []
        for org in frontier:
            for since, parent in parents.get(org, ()):
                days.add(since)
                if parent and parent not in seen:
                    seen.add(parent)
                    found.append(parent)
        frontier = found
    out: Segments = []
    for day in sorted(days) or [date.min]:
        path = tree.path_on(parents, cell, day)
        if not out or out[-1][1] != path:
            out.append((day, path))
    return out


def above(segments: Segments) -> Segments:
    """The path segments without the cell itself: a span counts in the orgs above its cell (see ``roll``)."""
    out: Segments = []
    for since, path in segments:
        if not out or out[-1][1] != path[1:]:
            out.append((since, path[1:]))
    return out


# ---- the database ------------------------------------------------------------------------------------------

def load_bands(session: Session) -> BandSets:
    grouped: dict[str, dict[date, list[tuple[int, str]]]] = defaultdict(lambda: defaultdict(list))
    for dimension, since, code, min_years in session.execute(
            select(_BAND.c.dimension, _BAND.c.valid_from, _BAND.c.code, _BAND.c.min_years)):
        grouped[dimension][since].append((min_years, code))
    return {dimension: [(since, tuple(sorted(bands, reverse=True))) for since, bands in sorted(sets.items())]
            for dimension, sets in grouped.items()}


FORM = "cohorts-1"  # roll_basis.form: the rows as this module writes them


class Context:
    """The tree and the cells' sectors as the database holds them now, read once per call."""

    def __init__(self, session: Session, cells: Iterable[str]):
        cells = set(cells)
        self.parents = tree.load_ancestry(session, cells)
        self.sectors: dict[str, Segments] = defaultdict(list)
        ids = list(cells)
        for start in range(0, len(ids), 500):
            for org, since, value in session.execute(
                    select(_ATTR.c.org_id, _ATTR.c.valid_from, _ATTR.c.value).where(
                        _ATTR.c.attr == "sector", _ATTR.c.org_id.in_(ids[start:start + 500]))):
                self.sectors[org].append((since, value))
        for history in self.sectors.values():
            history.sort(key=lambda row: row[0])
        self._paths: dict[str, Segments] = {}

    def deltas(self, spans: Iterable[Mapping], sign: int = 1, into: Deltas | None = None) -> Deltas:
        out: Deltas = {} if into is None else into
        for span in spans:
            cell = span["org_id"]
            if cell not in self._paths:
                self._paths[cell] = above(path_segments(self.parents, cell))
            add_into(out, roll_deltas(span, self._paths[cell], self.sectors.get(cell, [])), sign)
        return out


def write(session: Session, deltas: Deltas) -> None:
    """Add the deltas to ``roll_month`` (one additive upsert, in primary-key order; zero sums not written), and
    those dated up to the base month to ``roll_base`` too."""
    rows = [{"org_id": org, "month": month, "dimension": dimension, "value": value, "delta": n}
            for (org, month, dimension, value), n in sorted(deltas.items()) if n]  # in key order
    upsert(session, _ROLL, rows, ["org_id", "month", "dimension", "value"], "add", raw=True)
    base = base_month(session) if rows else None
    if base is not None:
        sums: dict[tuple[str, str, str], int] = defaultdict(int)
        for row in rows:
            if row["month"] <= base:
                sums[(row["org_id"], row["dimension"], row["value"])] += row["delta"]
        upsert(session, _BASE, [{"org_id": org, "dimension": dimension, "value": value, "total": n}
                                for (org, dimension, value), n in sorted(sums.items()) if n],
               ["org_id", "dimension", "value"], "add", raw=True)


def base_month(session: Session) -> str | None:
    return session.execute(select(_BASIS.c.base_month).where(_BASIS.c.id == 1)).scalar_one_or_none()


BASE_YEARS_BACK = 1  # the base: December of last year (a tuning choice, not a rule: any month is exact)


def base_target(today: date) -> str:
    """The base month to keep on ``today``: December of last year."""
    return f"{today.year - BASE_YEARS_BACK}-12"


def advance_base(session: Session, to: str) -> bool:
    """Move the base month forward to ``to``, adding the deltas of the months passed to ``roll_base``, under
    the projection's lock (a batch writing meanwhile would place its deltas by the base it read). No base yet:
    every month up to ``to``. False (nothing done) when the counters are not built or the base is at ``to``
    or later. The caller commits."""
    session.execute(lock())
    if not built(session):
        return False
    old = base_month(session)
    if old is not None and old >= to:
        return False
    months = _ROLL.c.month <= to if old is None else and_(_ROLL.c.month > old, _ROLL.c.month <= to)
    summed = (select(_ROLL.c.org_id, _ROLL.c.dimension, _ROLL.c.value, func.sum(_ROLL.c.delta))
              .where(months).group_by(_ROLL.c.org_id, _ROLL.c.dimension, _ROLL.c.value)
              .having(func.sum(_ROLL.c.delta) != literal_column("0")))
    rows = [{"org_id": org, "dimension": dimension, "value": value, "total": int(n)}
            for org, dimension, value, n in session.execute(summed)]
    for start in range(0, len(rows), 50_000):
        upsert(session, _BASE, rows[start:start + 50_000], ["org_id", "dimension", "value"], "add", raw=True)
    session.execute(update(_BASIS).where(_BASIS.c.id == 1).values(base_month=to))
    return True


def rebase(session: Session, to: str | None) -> None:
    """The base recomputed from ``roll_month`` at ``to`` (None: no base), any month, earlier ones too."""
    session.execute(lock())
    session.execute(delete(_BASE))
    session.execute(update(_BASIS).where(_BASIS.c.id == 1).values(base_month=None))
    if to is not None:
        advance_base(session, to)


def spans_of_cells(session: Session, cells: Iterable[str]) -> list[dict]:
    ids, out = list(set(cells)), []
    for start in range(0, len(ids), 500):
        out += [dict(r) for r in session.execute(select(_SPAN).where(_SPAN.c.org_id.in_(ids[start:start + 500])))
                .mappings()]
    return out


def cells_under(session: Session, orgs: set[str]) -> set[str]:
    """``orgs`` and every org linked below one of them by any parent row (any day), as the tree is now."""
    found, frontier = set(orgs), list(orgs)
    while frontier:
        chunk, frontier = frontier[:500], frontier[500:]
        for (org,) in session.execute(select(_PARENT.c.org_id).distinct().where(_PARENT.c.parent_id.in_(chunk))):
            if org not in found:
                found.add(org)
                frontier.append(org)
    return found


def tree_orgs(events) -> tuple[set[str], set[str]]:
    """(orgs whose parent rows a tree batch writes, orgs whose sector it writes)."""
    linked = {str(e.organization_id) for e in events if isinstance(e, (OrganizationCreated, OrganizationMoved))}
    sector = {str(e.organization_id) for e in events if isinstance(e, (OrganizationCreated, OrganizationReclassified))}
    return linked, sector


def before_tree(session: Session, events) -> tuple[list[dict], Deltas]:
    """Before a batch's tree events are stored: the spans they may re-roll, and minus their deltas now.
    A cell whose path changes on some day has, below the lowest org the batch re-links on that path, the same
    parent rows before and after: it is linked below that org already (a child stored before its parent too,
    its row names the parent), so the cells under the re-linked orgs now are all the cells that can move."""
    linked, sector = tree_orgs(events)
    if not linked and not sector:
        return [], {}
    cells = cells_under(session, linked) | sector
    spans = spans_of_cells(session, cells)
    if not spans:
        return [], {}
    return spans, Context(session, {s["org_id"] for s in spans}).deltas(spans, -1)


def after_tree(session: Session, spans: list[dict], deltas: Deltas) -> Deltas:
    """After they are stored: plus the same spans' deltas along the new tree (what did not move cancels)."""
    if spans:
        Context(session, {s["org_id"] for s in spans}).deltas(spans, 1, deltas)
    return deltas


def built(session: Session) -> bool:
    """Whether ``roll_month`` holds every span (else the figures read the live roll)."""
    return session.execute(select(_BASIS.c.form).where(_BASIS.c.id == 1)).scalar_one_or_none() == FORM


def lock():
    """The projection's write lock (as ``projections._serialize``): no batch applies while the counters rebuild."""
    table = ProjectionLock.__table__
    return update(table).where(table.c.id == 1).values(batches=table.c.batches + 1)


def reroll_all(session: Session, chunk: int = 20000) -> int:
    """Rebuild ``roll_month`` (and ``roll_base`` at the base month kept) from ``member_span``; returns the spans
    rolled."""
    session.execute(delete(_ROLL))
    session.execute(delete(_BASE))
    count, last = 0, None
    while True:
        query = select(_SPAN).order_by(_SPAN.c.member_id, _SPAN.c.valid_from).limit(chunk)
        if last is not None:
            query = query.where((_SPAN.c.member_id > last[0]) | ((_SPAN.c.member_id == last[0])
                                                                 & (_SPAN.c.valid_from > last[1])))
        spans = [dict(r) for r in session.execute(query).mappings()]
        if not spans:
            break
        write(session, Context(session, {s["org_id"] for s in spans}).deltas(spans))
        count, last = count + len(spans), (spans[-1]["member_id"], spans[-1]["valid_from"])
    upsert(session, _BASIS, [{"id": 1, "form": FORM}], ["id"])
    return count


def roll(session: Session, org: str, day: date) -> dict[str, dict[str, int]]:
    """Counts per dimension and value (age and party-age bands from the cohorts, with the band set in force on
    ``day``), on ``day`` (a month's last day), of the members of the orgs under ``org`` (the tree as it was),
    ``org``'s own roll not included: that one is read live from its spans. At the base month: the base's sums;
    after it: those plus the months after the base, before it (up to ``BEFORE_BASE`` months): those minus the
    months after the one asked, summed by the database in one statement; further back: every month from the
    start."""
    month, base = month_label(month_index(day)), base_month(session)
    keys = (_ROLL.c.dimension, _ROLL.c.value)
    if base is not None and month == base:
        query = select(_BASE.c.dimension, _BASE.c.value, _BASE.c.total).where(_BASE.c.org_id == org)
    elif base is not None and (month > base or _months_between(month, base) <= BEFORE_BASE):
        between = (_ROLL.c.month > base, _ROLL.c.month <= month) if month > base else (
            _ROLL.c.month > month, _ROLL.c.month <= base)
        parts = union_all(
            select(_BASE.c.dimension, _BASE.c.value, _BASE.c.total.label("n")).where(_BASE.c.org_id == org),
            select(*keys, (_ROLL.c.delta if month > base else -_ROLL.c.delta).label("n"))
            .where(_ROLL.c.org_id == org, *between)).subquery()
        query = select(parts.c.dimension, parts.c.value, func.sum(parts.c.n)).group_by(parts.c.dimension,
                                                                                     parts.c.value)
    else:
        query = select(*keys, func.sum(_ROLL.c.delta)).where(_ROLL.c.org_id == org, _ROLL.c.month <= month) \
            .group_by(*keys)
    out: dict[str, dict[str, int]] = defaultdict(dict)
    band_sets = load_bands(session)
    shown = {kept: (name, bands_on(band_sets, dimension, day)) for kept, name, dimension, _ in COHORTS}
    for dimension, value, n in session.execute(query):
        if not n:
            continue
        if dimension in shown:
            dimension, bands = shown[dimension]
            value = _cohort_band(bands, value, day)
        out[dimension][value] = out[dimension].get(value, 0) + int(n)
    return out


BEFORE_BASE = 24  # months before the base read from it, minus the months between (further back: from the start)


def _months_between(earlier: str, later: str) -> int:
    return (int(later[:4]) - int(earlier[:4])) * 12 + int(later[5:7]) - int(earlier[5:7])


@lru_cache(maxsize=65536)
def _cohort_band(bands: Bands, value: str, day: date) -> str:
    """``band_of`` a kept cohort (a pure function of its arguments: the same ~1,600 cohorts of a province are
    read again by every request of a day)."""
    return band_of(bands, cohort_start(value), day)
