"""The counters (period_stat by kind and upper level, obligation_stat, change_stat) give exactly the figures the
live computation gives from the facts, for every organization and every month, quarter and year: meetings of
each kind, obligations closed then re-closed, every kind of change with transfers inside and across subtrees,
a restructure inside a month, an org the tree learns late, and the events delivered in any order."""
import importlib.util
import random
from datetime import date, datetime, timezone

import pytest
from sqlalchemy import select, text
from sqlmodel import Session

from shared.events import (Attendance, BadgeAwarded, MeetingObligationClosed, MeetingRated, MeetingRecorded,
                           MemberAdmitted, MemberExempted, MemberOfficialStatusGranted, MembershipEnded,
                           MemberTemporarilyTransferred, MemberTransferReceived, MemberTransferred, OrganizationCreated,
                           OrganizationMoved, PartyCardIssued, StatisticalProfile)
from reports import report
from reports.bootstrap import SERVICE_DIR
from reports.models import STAT_COLUMNS, Base
from reports.periods import period_range
from reports.usecases import project

MOVE = date(2026, 2, 15)  # B leaves K1 for K2 in the middle of February
LATE = date(2026, 3, 1)  # E is created then, under K2
ORGS = ("P", "K1", "K2", "A", "B", "C", "D", "E")
PERIODS = ("2026-01", "2026-02", "2026-03", "2026-04", "2026-Q1", "2026-Q2", "2026")
COUNTER_TABLES = ("period_stat", "obligation_stat", "change_stat", "obligation_fact", "member_change")


def _tree(ev):
    def created(slug, parent, kind, since=date(2020, 1, 1)):
        return OrganizationCreated(organization_id=ev.oid(slug), parent_id=ev.oid(parent) if parent else None,
                                   name=f"Tổ chức {slug}", kind=kind, effective_from=since)
    return [created("P", None, "province"), created("K1", "P", "committee"), created("K2", "P", "committee"),
            created("A", "K1", "grassroots_cell"), created("B", "K1", "grassroots_cell"),
            created("C", "K2", "grassroots_cell"), created("D", "P", "grassroots_cell"),
            created("E", "K2", "grassroots_cell", LATE),
            OrganizationMoved(organization_id=ev.oid("B"), parent_id=ev.oid("K2"), effective_from=MOVE)]


def _meetings(ev):
    o, d = ev.oid, date
    kinds = ("regular", "thematic", "combined", "extraordinary", "model")

    def recorded(meeting, cell, day, kind, revision=1, upper=False):
        return MeetingRecorded(meeting_id=o(meeting), organization_id=o(cell), held_on=day, kind=kind,
                               duration_minutes=90, upper_level_attended=upper, revision=revision,
                               attendance=(Attendance(member_id=o("x1"), status="present", spoke=True),
                                           Attendance(member_id=o("x2"), status="absent_excused"),
                                           Attendance(member_id=o("x3"), status="exempt")))

    def rated(meeting, cell, day, kind, level, revision=1, upper=False):
        return MeetingRated(meeting_id=o(meeting), organization_id=o(cell), held_on=day, kind=kind, rubric_code="r",
                            rubric_version=1, score=70, level=level, present=4, expected=5, speakers=2,
                            upper_level_attended=upper, revision=revision)
    events = []
    for i, (cell, day) in enumerate([("A", d(2026, 1, 9)), ("B", d(2026, 2, 10)), ("B", d(2026, 2, 20)),
                                     ("C", d(2026, 3, 3)), ("D", d(2026, 4, 7)), ("E", d(2026, 3, 20))]):
        for j, kind in enumerate(kinds):
            meeting = f"{cell}-{i}-{kind}"
            events.append(recorded(meeting, cell, day, kind, upper=j % 2 == 0))
            if (i + j) % 3:
                events.append(rated(meeting, cell, day, kind, ("tot", "kha", "trung_binh", "kem")[(i + j) % 4],
                                    upper=j % 2 == 1))
    # re-recorded across the move and into another month; re-rated with a higher revision, an old one late
    events += [recorded("B-moved", "B", d(2026, 2, 12), "regular"), recorded("B-moved", "B", d(2026, 3, 2), "thematic", 2),
               rated("A-0-regular", "A", d(2026, 1, 9), "regular", "kem", 2, upper=True),
               rated("A-0-regular", "A", d(2026, 1, 9), "regular", "tot", 1)]
    return events


def _obligations(ev):
    def closed(cell, obligation, start, end, met, hour):
        return MeetingObligationClosed(organization_id=ev.oid(cell), obligation=obligation, period_start=start,
                                       period_end=end, met=met, occurred_at=datetime(2026, 5, 1, hour, tzinfo=timezone.utc))
    d = date
    months = [(d(2026, m, 1), d(2026, m, 28 if m == 2 else 30 if m == 4 else 31)) for m in range(1, 5)]
    events = [closed(cell, "regular", *month, (i + m) % 3 != 0, 8) for i, cell in enumerate("ABCDE")
              for m, month in enumerate(months)]
    q1 = (d(2026, 1, 1), d(2026, 3, 31))
    events += [closed("A", "thematic", *q1, False, 8), closed("B", "thematic", *q1, True, 8),
               closed("K1", "committee", *q1, False, 8),
               closed("B", "regular", *months[1], True, 10), closed("B", "regular", *months[1], False, 9),  # re-closed
               closed("A", "thematic", *q1, True, 11), closed("C", "regular", *months[0], False, 7)]  # a stale one
    return events


def _changes(ev):
    o, d = ev.oid, date
    profile = StatisticalProfile(sex="female", date_of_birth=d(1990, 1, 1))
    ends = ("removed", "expelled", "exited", "deceased", "probation_not_recognized")
    return [
        MemberAdmitted(member_id=o("m1"), organization_id=o("A"), full_name="Đảng viên m1", profile=profile,
                       decision_date=d(2026, 1, 5), ceremony_date=d(2026, 1, 10), effective_from=d(2026, 1, 10)),
        MemberOfficialStatusGranted(member_id=o("m2"), organization_id=o("B"), decision_date=d(2026, 2, 1),
                                    effective_from=d(2026, 2, 1)),
        MemberTransferReceived(member_id=o("m3"), organization_id=o("C"), full_name="Đảng viên m3", status="official",
                               profile=profile, origin="Tỉnh Yên Bái", effective_from=d(2026, 1, 20)),
        # A → B inside K1 before the move, across K1/K2 after it; C → A across; D out of the province; B → an org
        # the reports never learn (outside every subtree); C → E before E is known
        MemberTransferred(member_id=o("m4"), from_organization_id=o("A"), to_organization_id=o("B"),
                          effective_from=d(2026, 2, 3)),
        MemberTransferred(member_id=o("m5"), from_organization_id=o("A"), to_organization_id=o("B"),
                          effective_from=d(2026, 2, 25)),
        MemberTransferred(member_id=o("m6"), from_organization_id=o("C"), to_organization_id=o("A"),
                          effective_from=d(2026, 3, 5)),
        MemberTransferred(member_id=o("m7"), from_organization_id=o("D"), to_organization_id=None,
                          destination="Tỉnh Lào Cai", effective_from=d(2026, 3, 6)),
        MemberTransferred(member_id=o("m8"), from_organization_id=o("B"), to_organization_id=o("nowhere"),
                          effective_from=d(2026, 4, 2)),
        MemberTransferred(member_id=o("m9"), from_organization_id=o("C"), to_organization_id=o("E"),
                          effective_from=d(2026, 3, 15)),
        MemberTemporarilyTransferred(member_id=o("m10"), home_organization_id=o("B"), host_organization_id=o("C"),
                                     effective_from=d(2026, 2, 16), until=d(2026, 8, 16)),
        PartyCardIssued(member_id=o("m2"), organization_id=o("B"), effective_from=d(2026, 2, 14)),
        PartyCardIssued(member_id=o("m3"), organization_id=o("C"), replacement=True, effective_from=d(2026, 3, 1)),
        BadgeAwarded(member_id=o("m3"), organization_id=o("C"), years=40, effective_from=d(2026, 4, 1)),
        MemberExempted(member_id=o("m11"), organization_id=o("E"), effective_from=d(2026, 3, 30)),
        *[MembershipEnded(member_id=o(f"end-{reason}"), organization_id=o("ABCDE"[i]), reason=reason,
                          effective_from=d(2026, 1 + i % 4, 10 + i)) for i, reason in enumerate(ends)]]


def _everything(ev):
    return [*_tree(ev), *_meetings(ev), *_obligations(ev), *_changes(ev)]


def _figures(engine, ev, org, period, counters):
    start, end = period_range(period)
    with Session(engine) as session:
        got = report.report(session, str(ev.oid(org)), start, end, period=period if counters else None)
    return {key: got[key] for key in ("meetings", "changes")}


def _assert_counters_equal_live(engine, ev):
    for org in ORGS:
        for period in PERIODS:
            assert _figures(engine, ev, org, period, True) == _figures(engine, ev, org, period, False), (org, period)


def _tables(engine):
    """The counter tables without their all-zero rows (a contribution added, then taken back in a later batch,
    leaves one) and the facts with the paths they are counted along."""
    with engine.connect() as conn:
        return {name: sorted(tuple(map(str, r)) for r in conn.execute(select(Base.metadata.tables[name]))
                             if name.endswith("_fact") or name == "member_change" or any(
                                 v for v in r if isinstance(v, int) and not isinstance(v, bool)))
                for name in COUNTER_TABLES}


def _empty(engine):
    with engine.begin() as conn:
        for table in Base.metadata.sorted_tables:
            if table.name not in ("stat_band", "alert_rule", "projection_generation", "projection_lock"):
                conn.execute(table.delete())


def _batches(events, size):
    return [events[i:i + size] for i in range(0, len(events), size)]


def test_the_counters_give_the_live_figures_of_every_org_and_period_when_the_tree_comes_first(ev, engine):
    for batch in _batches(_everything(ev), 9):
        project(engine, batch)
    _assert_counters_equal_live(engine, ev)
    k1 = _figures(engine, ev, "K1", "2026-02", True)
    # before the move A → B stays inside K1; after it, A → B leaves K1 and enters K2 (B's path then)
    assert (k1["changes"]["transferred_out"], k1["changes"]["transferred_in"]) == (1, 0)
    assert k1["meetings"]["held_by_kind"] == {"regular": 1, "thematic": 1, "combined": 1, "extraordinary": 1,
                                              "model": 1}  # B's meetings of 10 Feb; those of the 20th are K2's
    # February's obligations close on the 28th, after the move: B's under K2 (its latest closing: held), C missed,
    # and E's, created in March: before its first record an org counts under its first parent (tree.path_on)
    k2 = _figures(engine, ev, "K2", "2026-02", True)["meetings"]["obligations"]["regular"]
    assert (k2["required"], k2["held"], k2["missed"]) == (3, 2, 1)
    assert k1["meetings"]["obligations"]["regular"]["required"] == 1


def test_the_counters_give_the_live_figures_when_facts_arrive_before_the_tree_and_the_move_last(ev, engine):
    events = _everything(ev)
    tree, facts = events[:9], events[9:]
    for batch in _batches(list(reversed(facts)), 7):  # meetings, obligations and changes of unknown cells first
        project(engine, batch)
    project(engine, tree[:1])
    project(engine, tree[3:8])  # the cells before their committees: paths end at K1, K2
    project(engine, tree[1:3])
    project(engine, tree[8:])  # the move, after everything was rolled along the old tree
    _assert_counters_equal_live(engine, ev)
    in_order = _tables(engine)
    _empty(engine)
    for batch in _batches(events, 9):
        project(engine, batch)
    assert _tables(engine) == in_order


@pytest.mark.parametrize("seed", [3, 17])
def test_the_counters_do_not_depend_on_the_order_or_repetition_of_the_events(ev, engine, seed):
    events = _everything(ev)
    for batch in _batches(events, 9):
        project(engine, batch)
    in_order = _tables(engine)
    _empty(engine)
    shuffled = events + events[::4]  # some delivered twice
    random.Random(seed).shuffle(shuffled)
    for batch in _batches(shuffled, 5):
        project(engine, batch)
    assert _tables(engine) == in_order
    _assert_counters_equal_live(engine, ev)


def test_the_migration_fills_the_counters_of_an_existing_projection_as_the_projection_keeps_them(ev, engine):
    for batch in _batches(_everything(ev), 9):
        project(engine, batch)
    kept = _tables(engine)
    spec = importlib.util.spec_from_file_location("m0004", SERVICE_DIR / "migrations" / "versions" / "0004_counters.py")
    migration = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(migration)
    with engine.begin() as conn:  # the projection as it was before 0004: no counters, no paths
        conn.execute(text("DELETE FROM obligation_stat"))
        conn.execute(text("DELETE FROM change_stat"))
        conn.execute(text("UPDATE period_stat SET " + ", ".join(f"{c} = 0" for c in STAT_COLUMNS[9:])))
        conn.execute(text("UPDATE obligation_fact SET rolled_path = '', path_tail = ''"))
        conn.execute(text("UPDATE member_change SET rolled_path = '', path_tail = '', other_rolled_path = '', "
                          "other_path_tail = ''"))
    assert _tables(engine) != kept
    with engine.begin() as conn:  # what upgrade() runs after adding the columns and tables
        migration._fill_meetings(conn)
        parents = migration._parents(conn)
        migration._fill_obligations(conn, parents)
        migration._fill_changes(conn, parents)
    assert _tables(engine) == kept
