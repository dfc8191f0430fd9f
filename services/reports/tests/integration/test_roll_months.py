"""The roll counters (roll_month) give, on every month's last day and for every organization, exactly the roll
the live query computes from the spans along the tree as it was: members crossing age and party-age bands on
the last day of a month and the day after, transfers, status changes, exits, a sector change, a restructure
and an organization learned after its members, with the events in either order."""
from datetime import date

from sqlalchemy import delete, func, select
from sqlmodel import Session

from shared.events import (MemberOfficialStatusGranted, MemberProfileChanged, MemberRegistered, MembershipEnded,
                           MemberTransferred, OrganizationCreated, OrganizationMoved, OrganizationReclassified,
                           StatisticalProfile)
from reports import report_members, roll_months, subtrees, tree
from reports.models import RollBase, RollBasis, RollMonth
from reports.usecases import keep_roll_base, project

ORGS = ("P", "K", "A", "B", "C", "N", "D")
MONTH_ENDS = [roll_months.month_end(i) for i in range(roll_months.month_index(date(2024, 1, 1)),
                                                      roll_months.month_index(date(2028, 1, 1)))]
RESTRUCTURE, RECLASSIFIED = date(2025, 9, 1), date(2025, 7, 1)


def _org(ev, slug, parent, sector="administrative", since=date(2020, 1, 1)):
    return OrganizationCreated(organization_id=ev.oid(slug), parent_id=ev.oid(parent) if parent else None,
                               name=f"Tổ chức {slug}", kind="grassroots_cell" if len(slug) == 1 else "committee",
                               sector=sector, effective_from=since)


def _member(ev, who, cell, since, born, party_since=None, status="official", sex="male", ethnicity="Kinh"):
    profile = StatisticalProfile(sex=sex, date_of_birth=born, ethnicity=ethnicity, party_age_start=party_since)
    return MemberRegistered(member_id=ev.oid(who), organization_id=ev.oid(cell), full_name=f"Đảng viên {who}",
                            sex=sex, date_of_birth=born, status=status, profile=profile, effective_from=since)


def _events(ev):
    o, d = ev.oid, date
    return [
        _org(ev, "P", None), _org(ev, "K", "P"), _org(ev, "A", "K"), _org(ev, "B", "K", "school"),
        _org(ev, "C", "P", "state_enterprise"), _org(ev, "N", "P", since=d(2025, 8, 1)),
        # the restructure: B leaves K for the new committee N; the sector change of A
        OrganizationMoved(organization_id=o("B"), parent_id=o("N"), effective_from=RESTRUCTURE),
        OrganizationReclassified(organization_id=o("A"), kind="grassroots_cell", sector="school",
                                 effective_from=RECLASSIFIED),
        # 30 on 31 March 2026 (to_30 until then, 31_40 from 30 April 2027), 20 party years on 31 January 2026
        _member(ev, "m1", "A", d(2024, 1, 1), d(1996, 3, 31), d(2006, 1, 31)),
        # 61 on 1 April 2026: 51_60 on 31 March, 61_70 on 30 April; party years from the 1st of a month
        _member(ev, "m2", "B", d(2024, 3, 31), d(1965, 4, 1), d(1996, 2, 1), status="probationary", sex="female"),
        MemberOfficialStatusGranted(member_id=o("m2"), organization_id=o("B"), decision_date=d(2025, 3, 31),
                                    effective_from=d(2025, 3, 31)),
        # born 29 February: 40 on 28 February 2027 or 1 March?
        _member(ev, "m3", "C", d(2024, 2, 1), d(1988, 2, 29), d(2016, 2, 29), ethnicity="Mường"),
        MemberTransferred(member_id=o("m3"), from_organization_id=o("C"), to_organization_id=o("A"),
                          effective_from=d(2025, 5, 31)),
        MemberTransferred(member_id=o("m3"), from_organization_id=o("A"), to_organization_id=o("B"),
                          effective_from=d(2026, 6, 1)),
        _member(ev, "m4", "B", d(2024, 1, 1), d(1955, 12, 31), d(1975, 12, 31)),
        MembershipEnded(member_id=o("m4"), organization_id=o("B"), reason="deceased", effective_from=d(2026, 10, 31)),
        _member(ev, "m5", "C", d(2025, 1, 31), d(2000, 1, 1), None, sex="female"),
        MemberProfileChanged(member_id=o("m5"), full_name="Đảng viên m5", profile=StatisticalProfile(
            sex="female", date_of_birth=d(2000, 1, 1), ethnicity="Tày", education_level="12/12",
            party_age_start=d(2025, 1, 31)), effective_from=d(2025, 11, 1)),
        MembershipEnded(member_id=o("m5"), organization_id=o("C"), reason="exited", effective_from=d(2027, 2, 1)),
        _member(ev, "m6", "K", d(2023, 6, 30), d(1980, 7, 1), d(2010, 7, 1)),  # on the committee's own roll
        # a cell the tree learns only in the last batch, with a member who arrived before it was known
        _member(ev, "m7", "D", d(2025, 6, 1), d(1990, 5, 31), d(2015, 5, 31)),
        _org(ev, "D", "N", "armed_forces", since=d(2025, 6, 1)),
    ]


def _counters_equal_the_live_roll(engine, ev) -> int:
    compared = 0
    with Session(engine) as session:
        assert roll_months.built(session)
        parents = tree.all_parents(session)
        for day in MONTH_ENDS:
            kids = subtrees.children_on(parents, day)
            for slug in ORGS:
                root = str(ev.oid(slug))
                under = subtrees.subtree(kids, root)
                live = report_members.live_roll(session, under, day)
                assert report_members._roll(session, under, day, root) == live, (slug, day)
                compared += live["total"]
    return compared


# each base month, the months either side of it, and every third month end
BASE_DAYS = sorted({*MONTH_ENDS[::3], *(d for d in MONTH_ENDS if (d.year, d.month) in {
    (2024, 11), (2024, 12), (2025, 1), (2025, 8), (2025, 9), (2025, 10), (2027, 11), (2027, 12)})})


def _counter_answers(engine, ev) -> dict:
    """``_roll`` from the counters for every org on ``BASE_DAYS`` (compared with the live roll once, then with
    each other: the live roll is the costly side)."""
    with Session(engine) as session:
        return {(slug, day): report_members._roll(session, frozenset(), day, str(ev.oid(slug)))
                for day in BASE_DAYS for slug in ORGS}


def _counter_rows(engine) -> dict:
    table = RollMonth.__table__
    with Session(engine) as session:
        return {tuple(r[:4]): r[4] for r in session.execute(select(table)) if r[4]}


def test_the_counters_equal_the_live_roll_for_every_org_and_month_end_whatever_the_order(engine, ev):
    events = _events(ev)
    for start in range(0, len(events), 4):
        project(engine, events[start:start + 4])
    assert _counters_equal_the_live_roll(engine, ev) > 100
    forward = _counter_rows(engine)
    with Session(engine) as session:  # on 31 March 2026: m1 turns 30 (still to_30), B is under N since September
        k = report_members._roll(session, frozenset(), date(2026, 3, 31), str(ev.oid("K")))
        assert (k["total"], k["age_band"]) == (3, {"31_40": 1, "41_50": 1, "to_30": 1})
        assert k["sector"] == {"administrative": 1, "school": 2}  # A reclassified as a school in July 2025
    _reset(engine)
    backwards = list(reversed(events))
    for start in range(0, len(backwards), 3):
        project(engine, backwards[start:start + 3])
    assert _counters_equal_the_live_roll(engine, ev) > 100
    assert _counter_rows(engine) == forward


def _base_holds_the_sums_up_to(engine, base: str | None) -> bool:
    month = RollMonth.__table__
    with Session(engine) as session:
        kept = {tuple(r[:3]): r[3] for r in session.execute(select(RollBase.__table__)) if r[3]}
        if base is None:
            return not kept and roll_months.base_month(session) is None
        summed = {tuple(r[:3]): r[3] for r in session.execute(
            select(month.c.org_id, month.c.dimension, month.c.value, func.sum(month.c.delta))
            .where(month.c.month <= base).group_by(month.c.org_id, month.c.dimension, month.c.value)) if r[3]}
        return kept == summed and roll_months.base_month(session) == base


def test_the_roll_from_any_base_month_equals_the_live_roll_and_the_batches_keep_the_base(engine, ev):
    events = _events(ev)
    project(engine, events[:12])
    with Session(engine) as session:
        roll_months.rebase(session, "2025-08")
        session.commit()
    for start in range(12, len(events), 3):  # deltas dated before and after the base, the restructure re-rolling
        project(engine, events[start:start + 3])
    assert _base_holds_the_sums_up_to(engine, "2025-08")
    with Session(engine) as session:
        assert session.execute(select(func.count()).select_from(RollBase.__table__)).scalar_one() > 20
    assert _counters_equal_the_live_roll(engine, ev) > 100
    live = _counter_answers(engine, ev)  # equal to the live roll, as just checked
    for base in (None, "2019-12", "2024-12", "2025-09", "2027-12"):  # month ends before, at and after each
        with Session(engine) as session:
            roll_months.rebase(session, base)
            session.commit()
        assert _base_holds_the_sums_up_to(engine, base)
        assert _counter_answers(engine, ev) == live, base


def test_the_service_moves_the_base_to_december_of_last_year_once(engine, ev):
    project(engine, _events(ev))
    with Session(engine) as session:
        roll_months.rebase(session, "2023-12")
        session.commit()
    assert keep_roll_base(engine, date(2025, 1, 2)) == "2024-12"
    assert _base_holds_the_sums_up_to(engine, "2024-12")  # the months passed added to the sums kept
    assert keep_roll_base(engine, date(2025, 11, 30)) is None  # already there
    assert keep_roll_base(engine, date(2026, 1, 1)) == "2025-12"
    assert _base_holds_the_sums_up_to(engine, "2025-12")
    assert _counters_equal_the_live_roll(engine, ev) > 100


def test_rerolling_from_the_spans_gives_the_counters_the_projection_kept(engine, ev):
    events = _events(ev)
    for start in range(0, len(events), 5):
        project(engine, events[start:start + 5])
    kept = _counter_rows(engine)
    with Session(engine) as session:
        base = roll_months.base_month(session)
        assert roll_months.reroll_all(session, chunk=2) == _span_count(session)
        session.commit()
    assert _counter_rows(engine) == kept
    assert _base_holds_the_sums_up_to(engine, base)  # the base rebuilt with them, at the month it was


def test_a_new_band_set_applies_to_the_counters_at_once(engine, ev):
    from reports.models import StatBand
    project(engine, _events(ev))
    with Session(engine) as session:
        for code, min_years in (("to_35", 0), ("over_35", 36)):
            session.execute(StatBand.__table__.insert().values(
                dimension="age", valid_from=date(2026, 1, 1), code=code, min_years=min_years,
                label_vi="Nhóm tuổi", label_en="Age group"))
        session.commit()
        k = report_members._roll(session, frozenset(), date(2026, 3, 31), str(ev.oid("K")))
        assert k["age_band"] == {"over_35": 2, "to_35": 1}  # m1 is 30, m3 38, m6 45
    assert _counters_equal_the_live_roll(engine, ev) > 100


def _under(session, ev, slug, day):
    return subtrees.subtree(subtrees.children_on(tree.all_parents(session), day), str(ev.oid(slug)))


def _span_count(session) -> int:
    from reports.models import MemberSpan
    return session.execute(select(func.count()).select_from(MemberSpan.__table__)).scalar_one()


def _reset(engine):
    """Empty the projection (the migration's seeds kept): the same database replays the events again."""
    from reports.models import Base
    keep = {"stat_band", "alert_rule", "projection_generation", "projection_lock", "roll_basis", "alembic_version"}
    with Session(engine) as session:
        for table in reversed(Base.metadata.sorted_tables):
            if table.name not in keep:
                session.execute(delete(table))
        session.commit()
    assert RollBasis.__table__.name in keep


def test_a_database_with_spans_before_the_counters_reads_the_live_roll_until_the_reroll_command(engine, ev,
                                                                                               database_url,
                                                                                               monkeypatch):
    from typer.testing import CliRunner

    from reports.cli import app
    project(engine, _events(ev))
    with Session(engine) as session:  # as 0004_roll leaves a database that already held spans
        session.execute(delete(RollMonth.__table__))
        session.execute(delete(RollBasis.__table__))
        session.commit()
        assert not roll_months.built(session)
        day, k = date(2026, 3, 31), str(ev.oid("K"))
        assert report_members._roll(session, _under(session, ev, "K", day), day, k)["total"] == 3  # live
        spans = _span_count(session)
    monkeypatch.setenv("REPORTS_DATABASE_URL", database_url)
    result = CliRunner().invoke(app, ["reroll"])
    assert result.exit_code == 0, result.output
    assert f"roll counters rebuilt: {spans} spans" in result.output
    assert _counters_equal_the_live_roll(engine, ev) > 100
