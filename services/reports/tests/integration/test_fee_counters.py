"""The fee counters (fee_sheet's sums and path, fee_stat, fee_unpaid) give exactly the fees the live query gives
from the lines, for every organization and every month, quarter and year of a hand-built province: a revised
sheet (a member who paid later, a member taken off the sheet), a cell moved to another committee after its month,
a cell the tree learns late, a member transferred between two cells of one committee and unpaid in both (once
for the committee, once in each cell), and the events in either order, some delivered twice."""
import importlib.util
import random
from datetime import date

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from shared.events import FeeLine, FeesRecorded, OrganizationCreated, OrganizationMoved
from reports import report
from reports.bootstrap import SERVICE_DIR
from reports.models import Base
from reports.periods import period_range
from reports.usecases import project

MOVE = date(2026, 2, 15)  # B leaves K1 for K2: its February sheet (dated 1 February) stays K1's
LATE = date(2026, 3, 1)  # E is created then, under K2
ORGS = ("P", "K1", "K2", "A", "B", "C", "D", "E")
PERIODS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-Q1", "2026-Q2", "2026")
FEE_TABLES = ("fee_sheet", "fee_line", "fee_stat", "fee_unpaid")


def _tree(ev):
    def created(slug, parent, kind, since=date(2020, 1, 1)):
        return OrganizationCreated(organization_id=ev.oid(slug), parent_id=ev.oid(parent) if parent else None,
                                   name=f"Tổ chức {slug}", kind=kind, effective_from=since)
    return [created("P", None, "province"), created("K1", "P", "committee"), created("K2", "P", "committee"),
            created("A", "K1", "grassroots_cell"), created("B", "K1", "grassroots_cell"),
            created("C", "K2", "grassroots_cell"), created("D", "P", "grassroots_cell"),
            created("E", "K2", "grassroots_cell", LATE),
            OrganizationMoved(organization_id=ev.oid("B"), parent_id=ev.oid("K2"), effective_from=MOVE)]


def _fees(ev):
    def sheet(cell, month, lines, revision=1):
        return FeesRecorded(organization_id=ev.oid(cell), month=date(2026, month, 1), revision=revision,
                            lines=tuple(FeeLine(member_id=ev.oid(m), due_vnd=due, paid_vnd=paid) for m, due, paid in lines))
    return [
        sheet("A", 1, [("m1", 10_000, 10_000), ("m2", 10_000, 0), ("m3", 10_000, 5_000), ("m6", 10_000, 0)]),
        # revised: m2 paid later, m3 taken off the sheet (transferred before the month), m6 still unpaid
        sheet("A", 1, [("m1", 10_000, 10_000), ("m2", 10_000, 10_000), ("m6", 10_000, 0)], 2),
        sheet("A", 2, [("m1", 10_000, 10_000), ("m2", 10_000, 0)]),
        sheet("B", 2, [("m4", 20_000, 0), ("m6", 10_000, 0)]),  # m6 now in B, unpaid again: once for K1
        sheet("B", 3, [("m4", 20_000, 0), ("m6", 10_000, 10_000)]),  # after the move: K2's
        sheet("C", 3, [("m7", 5_000, 2_000)]),
        sheet("D", 4, [("m9", 5_000, 5_000)]),
        sheet("E", 3, [("m8", 5_000, 0)]),
        sheet("E", 4, [("m8", 5_000, 5_000)], 3), sheet("E", 4, [("m8", 5_000, 0)], 2),  # a stale revision late
    ]


def _figures(engine, ev, org, period, counters):
    start, end = period_range(period)
    with Session(engine) as session:
        return report.report(session, str(ev.oid(org)), start, end, period=period if counters else None)["fees"]


def _assert_counters_equal_live(engine, ev):
    for org in ORGS:
        for period in PERIODS:
            assert _figures(engine, ev, org, period, True) == _figures(engine, ev, org, period, False), (org, period)


def _tables(engine):
    """The fee tables without the counters' all-zero rows (a contribution added, then taken back later)."""
    with engine.connect() as conn:
        return {name: sorted(tuple(map(str, r)) for r in conn.execute(select(Base.metadata.tables[name]))
                             if name in ("fee_sheet", "fee_line") or any(v for v in r if isinstance(v, int)))
                for name in FEE_TABLES}


def _empty(engine):
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in ("stat_band", "alert_rule", "projection_generation", "projection_lock"):
                conn.execute(table.delete())


def _batches(events, size):
    return [events[i:i + size] for i in range(0, len(events), size)]


def test_the_fee_counters_give_the_live_fees_of_every_org_and_period(ev, engine):
    for batch in _batches([*_tree(ev), *_fees(ev)], 4):
        project(engine, batch)
    _assert_counters_equal_live(engine, ev)
    k1 = _figures(engine, ev, "K1", "2026-Q1", True)
    # A: m6 (January), m2 (February); B in February, still K1's: m4, m6. m6 counts once for K1, once in A and B
    assert k1["unpaid_members"] == 3
    assert [_figures(engine, ev, c, "2026-Q1", True)["unpaid_members"] for c in ("A", "B")] == [2, 2]
    assert _figures(engine, ev, "K2", "2026-Q1", True)["unpaid_members"] == 3  # m4 (B in March), m7, m8
    january = _figures(engine, ev, "K1", "2026-01", True)  # the revision replaced the first sheet
    assert (january["due_vnd"], january["collected_vnd"], january["unpaid_members"]) == (30_000, 20_000, 1)
    april = _figures(engine, ev, "E", "2026-04", True)  # revision 3 wins over a revision 2 arriving later
    assert (april["due_vnd"], april["collected_vnd"], april["unpaid_members"]) == (5_000, 5_000, 0)
    assert _figures(engine, ev, "P", "2026", True)["unpaid_members"] == 5


def test_the_fee_counters_give_the_live_fees_when_the_sheets_arrive_before_the_tree_and_the_move_last(ev, engine):
    tree = _tree(ev)
    for batch in _batches(list(reversed(_fees(ev))), 3):
        project(engine, batch)
    project(engine, tree[:1])
    project(engine, tree[3:8])  # the cells before their committees: paths end at K1, K2
    project(engine, tree[1:3])
    project(engine, tree[8:])  # the move, after everything was rolled along the old tree
    _assert_counters_equal_live(engine, ev)
    out_of_order = _tables(engine)
    _empty(engine)
    for batch in _batches([*tree, *_fees(ev)], 4):
        project(engine, batch)
    assert _tables(engine) == out_of_order


@pytest.mark.parametrize("seed", [5, 23])
def test_the_fee_counters_do_not_depend_on_the_order_or_repetition_of_the_events(ev, engine, seed):
    events = [*_tree(ev), *_fees(ev)]
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


def test_the_migration_fills_the_fee_counters_of_an_existing_projection_as_the_projection_keeps_them(ev, engine):
    for batch in _batches([*_tree(ev), *_fees(ev)], 4):
        project(engine, batch)
    kept = _tables(engine)
    spec = importlib.util.spec_from_file_location("m0007", SERVICE_DIR / "migrations" / "versions" / "0007_fee_stat.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with engine.begin() as conn:  # the projection as it was before 0007: no counters, no sums, no paths
        conn.execute(text("DELETE FROM fee_stat"))
        conn.execute(text("DELETE FROM fee_unpaid"))
        conn.execute(text("UPDATE fee_sheet SET due_vnd = 0, paid_vnd = 0, rolled_path = '', path_tail = ''"))
    assert _tables(engine) != kept
    with engine.begin() as conn:  # what upgrade() runs after adding the columns and tables
        migration._fill(conn)
    assert _tables(engine) == kept
