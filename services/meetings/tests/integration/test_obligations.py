"""Required meetings closed at period ends: met or missed, once per (cell, obligation, period), never reopened."""
from __future__ import annotations

import json
import uuid
from datetime import date, datetime, timedelta

import pytest
from sqlalchemy import select
from typer.testing import CliRunner

from shared import clock
from shared.events import MemberRegistered, OrganizationCreated, OrganizationDissolved

from meetings.cli import app as cli
from meetings.models import CellCommitteeFlag, ObligationClosure, outbox

API = "/meetings/api"


async def close(client, auth, world, until: str, status: int = 200) -> dict:
    response = await client.post(f"{API}/obligations/close", json={"until": until},
                                  headers=auth("province", world.province, "tinhuy"))
    assert response.status_code == status, response.text
    return response.json()


async def closures(client, auth, world, year: int, cell=None) -> dict[tuple[str, str], dict]:
    response = await client.get(f"{API}/cells/{cell or world.cell}/obligations", params={"year": year},
                                headers=auth("committee", world.committee))
    assert response.status_code == 200, response.text
    return {(c["obligation"], c["period_start"]): c for c in response.json()}


async def record(client, auth, meeting_body, held_on: str, kind: str = "regular") -> str:
    response = await client.post(f"{API}/meetings", json=meeting_body(held_on=held_on, kind=kind), headers=auth())
    assert response.status_code == 201, response.text
    return response.json()["id"]


def closed_events(engine) -> list[dict]:
    with engine.connect() as conn:
        rows = conn.execute(select(outbox.c.payload).where(outbox.c.subject == "meetings.obligation.closed")).all()
    return [json.loads(r.payload) for r in rows]


async def test_a_meeting_on_the_last_day_meets_the_month_and_quarter_which_close_only_once_that_day_is_over(
        app, client, auth, meeting_body, world):
    meeting = await record(client, auth, meeting_body, "2026-03-31", kind="combined")
    await close(client, auth, world, "2026-03-30")
    before = await closures(client, auth, world, 2026)
    assert ("regular", "2026-03-01") not in before and ("thematic", "2026-01-01") not in before
    assert before[("regular", "2026-02-01")]["met"] is False
    await close(client, auth, world, "2026-03-31")
    after = await closures(client, auth, world, 2026)
    assert after[("regular", "2026-03-01")] == {
        "organization_id": str(world.cell), "obligation": "regular", "period_start": "2026-03-01",
        "period_end": "2026-03-31", "met": True, "meeting_id": meeting}
    quarter = after[("thematic", "2026-01-01")]
    assert quarter["met"] is True and quarter["meeting_id"] == meeting


async def test_a_meeting_on_the_day_after_the_period_does_not_count_for_it(app, client, auth, meeting_body, world):
    april = await record(client, auth, meeting_body, "2026-04-01", kind="thematic")
    await close(client, auth, world, "2026-06-30")
    found = await closures(client, auth, world, 2026)
    assert found[("regular", "2026-03-01")]["met"] is False and found[("thematic", "2026-01-01")]["met"] is False
    assert found[("thematic", "2026-04-01")]["meeting_id"] == april
    assert found[("regular", "2026-04-01")]["met"] is False  # a thematic meeting does not replace the monthly one


async def test_closing_again_publishes_nothing_more_and_each_period_is_closed_exactly_once(
        app, client, auth, world):
    first = await close(client, auth, world, "2026-03-31")
    # Two cells, July 2025 to March 2026: 9 monthly periods and 3 quarters each; no committee (no flag, < 9 members)
    assert (first["closed"], first["missed"]) == (24, 24)
    assert await close(client, auth, world, "2026-03-31") == {"until": "2026-03-31", "closed": 0, "missed": 0}
    events = closed_events(app.state.runtime.engine)
    keys = [(e["organization_id"], e["obligation"], e["period_start"]) for e in events]
    assert len(keys) == len(set(keys)) == 24
    assert {e["organization_id"] for e in events} == {str(world.cell), str(world.other_cell)}
    assert {e["obligation"] for e in events} == {"regular", "thematic"}


async def test_a_meeting_recorded_late_for_a_closed_period_does_not_reopen_it(
        app, client, auth, meeting_body, world):
    await close(client, auth, world, "2026-02-28")
    await record(client, auth, meeting_body, "2026-02-10")
    await close(client, auth, world, "2026-03-31")
    found = await closures(client, auth, world, 2026)
    assert found[("regular", "2026-02-01")]["met"] is False
    february = [e for e in closed_events(app.state.runtime.engine)
                if e["obligation"] == "regular" and e["period_start"] == "2026-02-01"
                and e["organization_id"] == str(world.cell)]
    assert len(february) == 1 and february[0]["met"] is False


async def test_a_period_that_has_not_ended_cannot_be_closed_and_nothing_is_stored(app, client, auth, world, counts):
    today = clock.today()
    for until in (today, today + timedelta(days=400)):
        problem = (await close(client, auth, world, until.isoformat(), status=422))["detail"][0]
        assert problem["field"] == "until" and problem["msg_vi"] and problem["msg_en"]
    assert counts(app.state.runtime.engine, ObligationClosure) == counts(app.state.runtime.engine, outbox) == 0


@pytest.mark.parametrize("role, org", [("committee", "committee"), ("secretary", "cell")])
async def test_only_the_province_level_triggers_closing(client, auth, world, role, org):
    response = await client.post(f"{API}/obligations/close", json={"until": "2026-01-31"},
                                 headers=auth(role, getattr(world, org)))
    assert response.status_code == 403


async def test_a_cell_flagged_with_a_committee_owes_a_monthly_committee_meeting(app, client, auth, world):
    flag = await client.put(f"{API}/cells/{world.cell}/committee",
                            json={"has_committee": True, "valid_from": "2026-01-01"}, headers=auth())
    assert flag.status_code == 200 and flag.json()["source"] == "set", flag.text
    held = await client.post(f"{API}/cells/{world.cell}/committee-meetings",
                             json={"held_on": "2026-01-31", "duration_minutes": 60}, headers=auth())
    assert held.status_code == 201, held.text
    await close(client, auth, world, "2026-02-28")
    found = await closures(client, auth, world, 2026)
    assert found[("committee", "2026-01-01")]["meeting_id"] == held.json()["id"]
    assert found[("committee", "2026-02-01")]["met"] is False
    assert not [k for k in await closures(client, auth, world, 2025) if k[0] == "committee"]


@pytest.mark.parametrize("official, expected", [(8, False), (9, True)])
async def test_without_a_flag_a_cell_of_nine_official_members_has_a_committee_by_default(
        app, client, auth, world, project_events, official, expected):
    cell = uuid.uuid4()
    project_events([OrganizationCreated(organization_id=cell, parent_id=world.committee, name="Chi bộ Sở Xây dựng",
                                        kind="subordinate_cell", effective_from=date(2025, 7, 1)),
                    *[MemberRegistered(member_id=uuid.uuid4(), organization_id=cell, full_name=f"Đảng viên {i}",
                                       sex="male", date_of_birth=date(1980, 1, 1),
                                       status="official" if i < official else "probationary",
                                       effective_from=date(2025, 7, 1)) for i in range(10)]])
    shown = await client.get(f"{API}/cells/{cell}/committee", params={"on": "2026-01-31"},
                             headers=auth("committee", world.committee))
    assert shown.json() == {"organization_id": str(cell), "on": "2026-01-31", "has_committee": expected,
                                 "source": "default", "official_members": official}
    await close(client, auth, world, "2026-01-31")
    found = await closures(client, auth, world, 2026, cell=cell)
    assert (("committee", "2026-01-01") in found) is expected


@pytest.mark.parametrize("role, org", [("secretary", "other_cell"), ("committee", "other_committee"),
                                       ("member", "cell")])
async def test_the_committee_flag_is_set_only_within_ones_subtree_by_the_committee(
        app, client, auth, world, counts, role, org):
    response = await client.put(f"{API}/cells/{world.cell}/committee",
                                json={"has_committee": True, "valid_from": "2026-01-01"},
                                headers=auth(role, getattr(world, org)))
    assert response.status_code == 403
    assert counts(app.state.runtime.engine, CellCommitteeFlag) == 0


async def test_a_committee_meeting_in_the_future_or_of_absurd_length_is_refused(app, client, auth, world):
    response = await client.post(f"{API}/cells/{world.cell}/committee-meetings",
                                 json={"held_on": "2100-01-01", "duration_minutes": -1}, headers=auth())
    assert response.status_code == 422
    assert {d["field"] for d in response.json()["detail"]} == {"held_on", "duration_minutes"}


async def test_the_cli_closes_periods_idempotently(app, client, world, database_url):
    result = CliRunner().invoke(cli, ["close-periods", "--until", "2025-09-30", "--database-url", database_url])
    assert result.exit_code == 0, result.output
    # July, August, September and the third quarter, for each of the two cells
    assert "closed 8 periods, 8 missed" in result.output
    again = CliRunner().invoke(cli, ["close-periods", "--until", "2025-09-30", "--database-url", database_url])
    assert "closed 0 periods" in again.output
    assert len(closed_events(app.state.runtime.engine)) == 8


@pytest.mark.parametrize("dissolved_from, last_regular, quarters", [
    ("2026-03-31", "2026-02-01", ["2025-07-01", "2025-10-01"]),  # gone on March's last day: March not owed
    ("2026-04-01", "2026-03-01", ["2025-07-01", "2025-10-01", "2026-01-01"]),  # gone from April: March owed
])
async def test_a_dissolved_cell_stops_owing_meetings_from_its_dissolution_date(
        app, client, auth, world, project_events, dissolved_from, last_regular, quarters):
    project_events([OrganizationDissolved(organization_id=world.cell,
                                          effective_from=date.fromisoformat(dissolved_from))])
    await close(client, auth, world, "2026-06-30")
    with app.state.runtime.engine.connect() as conn:
        rows = conn.execute(select(ObligationClosure.organization_id, ObligationClosure.obligation,
                                   ObligationClosure.period_start)).all()
    regular = sorted(str(start) for org, obligation, start in rows
                     if org == str(world.cell) and obligation == "regular")
    assert regular[-1] == last_regular
    assert sorted(str(start) for org, obligation, start in rows
                  if org == str(world.cell) and obligation == "thematic") == quarters
    other = [str(start) for org, obligation, start in rows if org == str(world.other_cell) and obligation == "regular"]
    assert max(other) == "2026-06-01"  # a cell still in existence keeps owing
