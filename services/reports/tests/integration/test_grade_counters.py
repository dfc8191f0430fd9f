"""The grade counters (grade_fact's path, grade_stat) give exactly the grading the live query gives from the
kept grades, for every organization and every named period of a hand-built province: a later decision that
replaces a grade, a stale decision arriving after it, a cell moved to another committee during the year, a
cell the tree learns late, and the events in any order, some delivered twice. A named period ending before a
move that happens later in the year places the year's grades on its own last day: the figures then count them
live, and the counters serve the periods whose subtree is the one on 31 December."""
import importlib.util
import random
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from shared.events import MemberGraded, OrganizationCreated, OrganizationGraded, OrganizationMoved
from reports import report
from reports.bootstrap import SERVICE_DIR
from reports.models import Base
from reports.periods import period_range
from reports.usecases import project

MOVE = date(2026, 2, 15)  # B leaves K1 for K2: on 31 December 2026 its grades are K2's
LATE = date(2026, 3, 1)  # E is created then, under K2
ORGS = ("P", "K1", "K2", "A", "B", "C", "D", "E")
PERIODS = ("2025", "2025-12", "2025-Q4", "2026-01", "2026-02", "2026-03", "2026-12", "2026-Q1", "2026-Q2", "2026")
GRADE_TABLES = ("grade_fact", "grade_stat")


def _tree(ev):
    def created(slug, parent, kind, since=date(2020, 1, 1)):
        return OrganizationCreated(organization_id=ev.oid(slug), parent_id=ev.oid(parent) if parent else None,
                                   name=f"Tổ chức {slug}", kind=kind, effective_from=since)
    return [created("P", None, "province"), created("K1", "P", "committee"), created("K2", "P", "committee"),
            created("A", "K1", "grassroots_cell"), created("B", "K1", "grassroots_cell"),
            created("C", "K2", "grassroots_cell"), created("D", "P", "grassroots_cell"),
            created("E", "K2", "grassroots_cell", LATE),
            OrganizationMoved(organization_id=ev.oid("B"), parent_id=ev.oid("K2"), effective_from=MOVE)]


def _grades(ev):
    def member(m, cell, year, level, decided):
        return MemberGraded(member_id=ev.oid(m), organization_id=ev.oid(cell), year=year, score=80, level=level,
                            decided_on=decided)

    def org(slug, year, level, decided):
        return OrganizationGraded(organization_id=ev.oid(slug), year=year, score=80, level=level, decided_on=decided)
    return [
        member("m1", "A", 2025, "good", date(2025, 12, 20)), member("m2", "A", 2025, "excellent", date(2025, 12, 20)),
        member("m3", "B", 2025, "completed", date(2025, 12, 20)),  # B was K1's on 31 December 2025
        member("m4", "C", 2025, "not_completed", date(2025, 12, 20)),
        member("m1", "A", 2026, "excellent", date(2027, 1, 10)),  # a later decision replaces …
        member("m1", "A", 2026, "good", date(2026, 12, 20)),  # … this one, which arrives after it
        member("m3", "B", 2026, "good", date(2026, 12, 20)), member("m5", "B", 2026, "completed", date(2026, 12, 20)),
        member("m6", "E", 2026, "good", date(2026, 12, 20)), member("m7", "D", 2026, "excellent", date(2026, 12, 20)),
        org("A", 2026, "good", date(2026, 12, 28)), org("B", 2026, "excellent", date(2026, 12, 28)),
        org("K1", 2026, "completed", date(2026, 12, 28)), org("K2", 2026, "good", date(2026, 12, 28)),
        org("B", 2025, "good", date(2025, 12, 28)),
    ]


def _grading(engine, ev, org, period, counters):
    start, end = period_range(period)
    with Session(engine) as session:
        return report.report(session, str(ev.oid(org)), start, end, period=period if counters else None)["grading"]


def _assert_counters_equal_live(engine, ev):
    for org in ORGS:
        for period in PERIODS:
            assert _grading(engine, ev, org, period, True) == _grading(engine, ev, org, period, False), (org, period)


def _tables(engine):
    """The grade tables without the counters' zero rows (a grade counted, then taken back later) and without
    the events' occurred_at (each run of _grades makes new events)."""
    with engine.connect() as conn:
        return {name: sorted(tuple(map(str, r)) for r in conn.execute(select(
                    *(c for c in Base.metadata.tables[name].c if c.name != "occurred_at")))
                    if name == "grade_fact" or r[-1])
                for name in GRADE_TABLES}


def _empty(engine):
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in ("stat_band", "alert_rule", "projection_generation", "projection_lock"):
                conn.execute(table.delete())


def _batches(events, size):
    return [events[i:i + size] for i in range(0, len(events), size)]


def test_the_grade_counters_give_the_live_grading_of_every_org_and_named_period(ev, engine):
    for batch in _batches([*_tree(ev), *_grades(ev)], 4):
        project(engine, batch)
    _assert_counters_equal_live(engine, ev)
    k2 = _grading(engine, ev, "K2", "2026", True)  # B (moved in), E (late), K2 itself
    assert (k2["members"]["total"], k2["members"]["good"]["count"], k2["members"]["completed"]["count"]) == (3, 2, 1)
    assert (k2["organizations"]["total"], k2["organizations"]["excellent"]["count"]) == (2, 1)
    k1 = _grading(engine, ev, "K1", "2026", True)  # m1's later decision wins over the one delivered after it
    assert (k1["members"]["total"], k1["members"]["excellent"]["count"], k1["members"]["good"]["count"]) == (1, 1, 0)
    assert _grading(engine, ev, "K1", "2025", True)["members"]["total"] == 3  # B still K1's on 31 December 2025
    january = _grading(engine, ev, "K1", "2026-01", True)  # B was K1's on 31 January: counted live
    assert (january["members"]["total"], january["organizations"]["total"]) == (3, 3)


def test_the_grade_counters_serve_a_period_only_when_its_subtree_is_the_one_on_31_december(ev, engine):
    for batch in _batches([*_tree(ev), *_grades(ev)], 4):
        project(engine, batch)
    with Session(engine) as session:
        def counted(org, period):
            start, end = period_range(period)
            return report._counted_grades(session, str(ev.oid(org)), start, end)
        assert counted("K1", "2026-01") is None and counted("K2", "2026-01") is None  # B moves on 15 February
        assert counted("K1", "2026-03")["member"] == {"excellent": 1}
        assert counted("K2", "2026-12")["organization"] == {"excellent": 1, "good": 1}
        assert counted("C", "2026-01") is not None  # C's subtree never changes


def test_the_grade_counters_give_the_live_grading_when_the_grades_arrive_before_the_tree_and_the_move_last(ev, engine):
    tree = _tree(ev)
    for batch in _batches(list(reversed(_grades(ev))), 3):
        project(engine, batch)
    project(engine, tree[:1])
    project(engine, tree[3:8])  # the cells before their committees: paths end at K1, K2
    project(engine, tree[1:3])
    project(engine, tree[8:])  # the move, after everything was rolled along the old tree
    _assert_counters_equal_live(engine, ev)
    out_of_order = _tables(engine)
    _empty(engine)
    for batch in _batches([*tree, *_grades(ev)], 4):
        project(engine, batch)
    assert _tables(engine) == out_of_order


@pytest.mark.parametrize("seed", [5, 23])
def test_the_grade_counters_do_not_depend_on_the_order_or_repetition_of_the_events(ev, engine, seed):
    events = [*_tree(ev), *_grades(ev)]
    for batch in _batches(events, 4):
        project(engine, batch)
    in_order = _tables(engine)
    _empty(engine)
    shuffled = events + events[::3]  # some delivered twice
    random.Random(seed).shuffle(shuffled)
    for batch in _batches(shuffled, 3):
        project(engine, batch)
    assert _tables(engine) == in_order
    _assert_counters_equal_live(engine, ev)


def test_the_migration_fills_the_grade_counters_of_an_existing_projection_as_the_projection_keeps_them(ev, engine):
    for batch in _batches([*_tree(ev), *_grades(ev)], 4):
        project(engine, batch)
    kept = _tables(engine)
    spec = importlib.util.spec_from_file_location("m0009", SERVICE_DIR / "migrations" / "versions" / "0009_grade_stat.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with engine.begin() as conn:  # the projection as it was before 0009: no counters, no paths
        conn.execute(text("DELETE FROM grade_stat"))
        conn.execute(text("UPDATE grade_fact SET rolled_path = '', path_tail = ''"))
    assert _tables(engine) != kept
    with engine.begin() as conn:  # what upgrade() runs after adding the columns and tables
        migration._fill(conn)
    assert _tables(engine) == kept
