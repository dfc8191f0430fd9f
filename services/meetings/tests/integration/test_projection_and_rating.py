"""The two consumers' use cases on SQLite and PostgreSQL: roster projection and asynchronous rating."""
from __future__ import annotations

import json
import uuid
from datetime import date

from sqlalchemy import delete, insert, select
from sqlmodel import Session

from shared.consumer import Envelope
from shared.events import MeetingRecorded, MemberRegistered
from shared.uow import UnitOfWork

from meetings import orgs, usecases
from meetings.models import MeetingRating, OrganizationParent, RosterEntry, Rubric, inbox, outbox

RATING = "meetings-rating-v1"


def _member(cell: uuid.UUID, name: str = "Hoàng Văn Em") -> MemberRegistered:
    return MemberRegistered(member_id=uuid.uuid4(), organization_id=cell, full_name=name, sex="male",
                            date_of_birth=date(1990, 2, 2), status="probationary", effective_from=date(2026, 1, 5))


def _roster(engine, cell) -> list[str]:
    with Session(engine) as session:
        return [m.full_name for m in orgs.roster_on(session, cell, date(2026, 3, 1))]


async def test_the_same_member_event_delivered_twice_changes_the_roster_once(app, world, project_events, counts):
    engine, event = app.state.runtime.engine, _member(world.cell)
    processed_before = counts(engine, inbox)
    assert project_events([event, event]) == 1  # twice in one batch
    assert project_events([event]) == 0  # and again later
    assert _roster(engine, world.cell).count("Hoàng Văn Em") == 1
    assert counts(engine, inbox) == processed_before + 1


async def test_a_member_event_arriving_before_its_cell_ends_in_the_same_state(app, client, new_world, project_events):
    engine, w = app.state.runtime.engine, new_world()
    cell_created = w.org_events()[2]
    member = _member(w.cell)
    project_events([member])  # the cell is not known yet: the roster entry is kept anyway
    project_events([cell_created])
    assert _roster(engine, w.cell) == ["Hoàng Văn Em"]
    with Session(engine) as session:
        assert orgs.cell(session, w.cell).name == "Chi bộ Văn phòng"


def _recorded(world, *, held_on=date(2026, 3, 10), revision=1, unexcused=False) -> MeetingRecorded:
    names = ["Nguyễn Văn An", "Trần Thị Bình", "Lê Văn Cường"]
    attendance = [{"member_id": world.members[n], "status": "present", "spoke": True} for n in names]
    if unexcused:
        attendance[2]["status"] = "absent_unexcused"
    return MeetingRecorded(meeting_id=uuid.uuid4(), organization_id=world.cell, held_on=held_on, kind="regular",
                           duration_minutes=95, attendance=attendance, revision=revision,
                           checklist={"prep.content_prepared": True, "conduct.correct_order": True})


def _rate(app, *events, correlation_id="cid-1"):
    uow = UnitOfWork(app.state.runtime.engine, outbox)
    batch = [Envelope(e, e.subject, correlation_id, 1, i) for i, e in enumerate(events, 1)]
    return usecases.rate_recorded_meetings(uow, batch, RATING)


async def test_a_recorded_meeting_is_rated_under_the_rubric_in_force_and_meeting_rated_is_enqueued(app, world):
    recorded = _recorded(world, unexcused=True)
    [rated] = _rate(app, recorded)
    # attendance 2/3 < 70% → 0; unexcused absence → 0; 2 checklist boxes (5 + 10); speakers 2/2 → 10; 95 min → 5
    assert (rated.score, rated.level, rated.present, rated.expected, rated.speakers) == (30, "kem", 2, 3, 2)
    assert (rated.rubric_code, rated.rubric_version, rated.revision) == ("phu-tho-100", 1, 1)
    with app.state.runtime.engine.connect() as conn:
        row = conn.execute(select(outbox.c.payload, outbox.c.headers).where(outbox.c.subject == rated.subject)).one()
        stored = conn.execute(select(MeetingRating)).one()
    assert json.loads(row.payload)["meeting_id"] == str(recorded.meeting_id)
    assert json.loads(row.headers)["X-Correlation-ID"] == "cid-1"
    assert stored.score == 30 and {i["item"] for i in stored.breakdown} >= {"attendance.rate", "closing.minutes_approved"}


async def test_rating_the_same_recorded_event_twice_rates_once(app, world, counts):
    recorded = _recorded(world)
    assert len(_rate(app, recorded)) == 1
    assert _rate(app, recorded) == []
    assert counts(app.state.runtime.engine, MeetingRating) == 1
    assert counts(app.state.runtime.engine, outbox) == 1


def _add_rubric(app, *, code, scope=None, effective_from=date(2026, 1, 1), effective_to=None, tot_from=90):
    with app.state.runtime.engine.begin() as conn:
        definition = conn.execute(select(Rubric.definition).where(Rubric.code == "phu-tho-100")).scalar_one()
        definition = {**definition, "code": code,
                      "bands": [{**b, "min": tot_from} if b["level"] == "tot" else
                                {**b, "max": tot_from} if b["level"] == "kha" else b for b in definition["bands"]]}
        conn.execute(insert(Rubric).values(code=code, version=1, scope_org_id=str(scope) if scope else None,
                                           effective_from=effective_from, effective_to=effective_to,
                                           definition=definition))


async def test_the_most_specific_rubric_in_the_meetings_lineage_wins_over_the_province_wide_one(app, world):
    _add_rubric(app, code="khoi-co-quan", scope=world.committee)
    _add_rubric(app, code="ubnd-tinh", scope=world.other_committee)
    [rated] = _rate(app, _recorded(world))
    assert rated.rubric_code == "khoi-co-quan"


async def test_a_rubric_only_rates_meetings_held_while_it_is_in_force(app, world):
    _add_rubric(app, code="khoi-2026-q1", scope=world.committee, effective_from=date(2026, 1, 1),
                effective_to=date(2026, 3, 31))
    [inside, after] = _rate(app, _recorded(world, held_on=date(2026, 3, 31)), _recorded(world, held_on=date(2026, 4, 1)))
    assert (inside.rubric_code, after.rubric_code) == ("khoi-2026-q1", "phu-tho-100")


async def test_the_lineage_on_the_meeting_date_decides_after_a_cell_moves(app, world):
    with app.state.runtime.engine.begin() as conn:  # the cell moves under the other committee on 1/3/2026
        conn.execute(insert(OrganizationParent).values(organization_id=str(world.cell), valid_from=date(2026, 3, 1),
                                                       parent_id=str(world.other_committee)))
    _add_rubric(app, code="khoi-co-quan", scope=world.committee)
    [before, after] = _rate(app, _recorded(world, held_on=date(2026, 2, 27)), _recorded(world, held_on=date(2026, 3, 2)))
    assert (before.rubric_code, after.rubric_code) == ("khoi-co-quan", "phu-tho-100")


async def test_without_any_rubric_in_force_rating_fails_so_the_consumer_retries_and_nothing_is_kept(app, world, counts):
    with app.state.runtime.engine.begin() as conn:
        conn.execute(delete(Rubric))
    try:
        _rate(app, _recorded(world))
        raise AssertionError("rating without a rubric must fail")
    except LookupError:
        pass
    assert counts(app.state.runtime.engine, outbox) == 0 and counts(app.state.runtime.engine, inbox) == 5 + 4


async def test_roster_entries_keep_the_registration_date(app, world):
    with app.state.runtime.engine.connect() as conn:
        dates = set(conn.execute(select(RosterEntry.valid_from)).scalars())
    assert dates == {date(2025, 7, 1)}
