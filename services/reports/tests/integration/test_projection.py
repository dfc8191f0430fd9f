import random
from datetime import date

from reports.models import Base
from reports.usecases import project

MARCH, APRIL = date(2026, 3, 12), date(2026, 4, 9)


def stat(ev, engine, slug, period):
    return ev.stats(engine).get((str(ev.oid(slug)), period))


def test_a_rated_meeting_counts_for_its_cell_and_every_ancestor_in_month_quarter_and_year(ev, engine):
    project(engine, [*ev.tree(), ev.recorded("m1", "phongtc", MARCH), ev.rated("m1", "phongtc", MARCH, "tot")])
    for slug in ("phongtc", "sogd", "coquan", "tinh"):
        for period in ("2026-03", "2026-Q1", "2026"):
            # meetings_held, tot, kha, trung_binh, kem, unrated, present, expected, speakers
            assert stat(ev, engine, slug, period) == (1, 1, 0, 0, 0, 0, 8, 9, 3), (slug, period)
    assert stat(ev, engine, "vanphong", "2026-03") is None
    assert stat(ev, engine, "phongtc", "2026-04") is None


def test_meetings_of_sibling_cells_add_up_in_their_common_ancestors(ev, engine):
    project(engine, [*ev.tree(), ev.rated("m1", "phongtc", MARCH, "tot"), ev.rated("m2", "vanphong", APRIL, "kem"),
                     ev.recorded("m3", "baotang", APRIL)])
    assert stat(ev, engine, "sogd", "2026") == (2, 1, 0, 0, 1, 0, 16, 18, 6)
    assert stat(ev, engine, "sogd", "2026-Q2") == (1, 0, 0, 0, 1, 0, 8, 9, 3)
    assert stat(ev, engine, "tinh", "2026-Q2") == (2, 0, 0, 0, 1, 1, 16, 18, 6)


def test_a_re_rating_replaces_the_level_and_the_meeting_is_counted_once(ev, engine):
    project(engine, [*ev.tree(), ev.recorded("m1", "phongtc", MARCH), ev.rated("m1", "phongtc", MARCH, "kha")])
    project(engine, [ev.rated("m1", "phongtc", MARCH, "tot", revision=2)])
    project(engine, [ev.rated("m1", "phongtc", MARCH, "kem", revision=1)])  # an old rating arriving late
    assert stat(ev, engine, "tinh", "2026-03") == (1, 1, 0, 0, 0, 0, 8, 9, 3)


def test_the_same_event_delivered_twice_counts_once(ev, engine):
    rating = ev.rated("m1", "phongtc", MARCH, "tot")
    project(engine, [*ev.tree(), rating, rating])
    project(engine, [rating])
    assert stat(ev, engine, "coquan", "2026") == (1, 1, 0, 0, 0, 0, 8, 9, 3)


def test_a_re_recorded_meeting_moves_from_its_old_month_to_its_new_one(ev, engine):
    project(engine, [*ev.tree(), ev.recorded("m1", "phongtc", MARCH)])
    project(engine, [ev.recorded("m1", "phongtc", APRIL, present=9, absent=0, revision=2)])
    assert stat(ev, engine, "sogd", "2026-03") == (0,) * 9
    assert stat(ev, engine, "sogd", "2026-04") == (1, 0, 0, 0, 0, 1, 9, 9, 3)


def _history(ev):
    return [*ev.tree(), ev.recorded("m1", "phongtc", MARCH), ev.rated("m1", "phongtc", MARCH, "kha"),
            ev.rated("m1", "phongtc", MARCH, "tot", revision=2), ev.recorded("m2", "vanphong", APRIL),
            ev.rated("m2", "vanphong", APRIL, "trung_binh"), ev.recorded("m3", "baotang", MARCH)]


def test_figures_do_not_depend_on_the_order_or_batching_of_the_two_streams(ev, engine):
    events = _history(ev)
    project(engine, events)
    expected = ev.stats(engine)
    orgs, meetings = events[:6], events[6:]
    orderings = {
        "meetings stream first": [meetings, orgs],
        "rated before recorded, one by one, leaves first": [[e] for e in reversed(events)],
        "shuffled, small batches": _shuffled_batches(events, seed=7),
        "cells known before their ancestors": [[orgs[3], orgs[4]], meetings[:3], orgs[:3], meetings[3:], orgs[5:]],
    }
    for name, batches in orderings.items():
        _empty(engine)
        for batch in batches:
            project(engine, batch)
        assert ev.stats(engine) == expected, name


def _empty(engine):
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            conn.execute(table.delete())


def _shuffled_batches(events, seed):
    shuffled = list(events)
    random.Random(seed).shuffle(shuffled)
    return [shuffled[i:i + 3] for i in range(0, len(shuffled), 3)]


def test_a_cell_moved_to_another_parent_counts_there_only_for_meetings_from_the_move(ev, engine):
    march, may = ev.rated("m1", "baotang", MARCH, "tot"), ev.rated("m2", "baotang", date(2026, 5, 5), "kha")
    project(engine, [*ev.tree(), march, may])
    project(engine, [ev.org("baotang", "sogd", "Chi bộ Bảo tàng tỉnh", "grassroots_cell", date(2026, 4, 1))])
    assert stat(ev, engine, "sogd", "2026") == (1, 0, 1, 0, 0, 0, 8, 9, 3)
    assert stat(ev, engine, "coquan", "2026") == (2, 1, 1, 0, 0, 0, 16, 18, 6)
    assert stat(ev, engine, "sogd", "2026-03") is None


def test_the_two_consumers_applying_batches_at_the_same_time_still_give_the_same_figures(ev, engine):
    from concurrent.futures import ThreadPoolExecutor
    from threading import Barrier
    events = _history(ev)
    project(engine, events)
    expected = ev.stats(engine)
    for _ in range(8):
        _empty(engine)
        barrier = Barrier(2)

        def run(batch):
            barrier.wait()
            return project(engine, batch)

        with ThreadPoolExecutor(2) as pool:
            list(pool.map(run, [events[6:], events[:6]]))  # meetings consumer, tree consumer
        assert ev.stats(engine) == expected


def test_a_member_event_tells_the_dashboards_of_its_cell_lineage_for_its_month_quarter_and_year(ev, engine):
    import uuid

    from shared.events import MemberRegistered
    project(engine, ev.tree())
    changes = project(engine, [MemberRegistered(
        member_id=uuid.uuid4(), organization_id=ev.oid("phongtc"), full_name="Nguyễn Văn Bình", sex="male",
        date_of_birth=date(1990, 1, 1), status="official", effective_from=APRIL)])
    assert changes == {(str(ev.oid(o)), p) for o in ("phongtc", "sogd", "coquan", "tinh")
                       for p in ("2026-04", "2026-Q2", "2026")}
