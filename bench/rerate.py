"""Re-rating a province-year after a rubric change (issue 4 item 8; target < 30 s for ~22,000 meetings).

A fresh, migrated meetings database (SQLite, as the bench's services run) is filled directly with a
Thanh Hóa-sized year: ``meetings / 12`` cells of 15 members under 20 committees, one regular meeting a
month each, with varied attendance and checklists, all rated once. Then a stricter province-wide rubric
version for that year is added through the same use case as the CLI (it queues one re-rating job in the
same transaction) and the worker's ``ratings.run_jobs`` is timed until the job is done: chunks of cells,
a few bulk reads per chunk, one transaction per chunk with the new rating rows and their MeetingRated
events written to the outbox in bulk.

``python -m bench.rerate [--meetings 22000]`` alone, or as the last phase of ``python -m bench``.
"""
from __future__ import annotations

import argparse
import json
import random
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import func, insert, select

ROOT = Path(__file__).resolve().parents[1]
MEETINGS_DIR = ROOT / "services" / "meetings"
if str(MEETINGS_DIR) not in sys.path:
    sys.path.append(str(MEETINGS_DIR))

from shared.db import make_engine, migrate  # noqa: E402
from shared.uow import UnitOfWork  # noqa: E402

from meetings import ratings, usecases  # noqa: E402
from meetings.models import (  # noqa: E402
    Meeting, MeetingAttendance, MeetingRating, Organization, OrganizationParent, RosterEntry, Rubric, outbox,
)

TARGET_S = 30.0
YEAR = 2025
MEMBERS_PER_CELL = 15
COMMITTEES = 20
CHECKS = ("prep.content_prepared", "prep.committee_met", "prep.notice_sent", "conduct.on_time",
          "conduct.correct_order", "conduct.full_content", "conduct.criticism", "closing.resolution_adopted",
          "closing.minutes_approved")


def run(meetings: int, workdir: Path, seed: int = 7) -> dict:
    url = f"sqlite:///{workdir / 'rerate-meetings.db'}"
    migrate(MEETINGS_DIR, url)
    engine = make_engine(url)
    try:
        started = time.perf_counter()
        cells = _fill(engine, max(1, round(meetings / 12)), random.Random(seed))
        fill_s = time.perf_counter() - started
        started = time.perf_counter()
        initial = _rate_all(engine, cells)
        initial_s = time.perf_counter() - started
        rubric = _stricter(engine)
        started = time.perf_counter()
        usecases.add_rubric(UnitOfWork(engine, outbox), rubric, date(YEAR, 1, 1), date(YEAR, 12, 31))
        rerated = ratings.run_jobs(UnitOfWork(engine, outbox))
        seconds = time.perf_counter() - started
        with engine.connect() as conn:
            held = conn.execute(select(func.count()).select_from(Meeting)).scalar_one()
            current = conn.execute(select(func.count()).select_from(MeetingRating)
                                   .where(MeetingRating.rubric_code == rubric["code"])).scalar_one()
            events = conn.execute(select(func.count()).select_from(outbox)
                                  .where(outbox.c.subject == "meetings.meeting.rated")).scalar_one()
    finally:
        engine.dispose()
    return {"meetings": held, "cells": len(cells), "members_per_cell": MEMBERS_PER_CELL,
            "chunk_cells": ratings.CHUNK_CELLS, "fill_s": round(fill_s, 2), "initial_rating_s": round(initial_s, 2),
            "initially_rated": initial, "rerated": rerated, "rated_under_new_rubric": current,
            "meeting_rated_events": events, "seconds": round(seconds, 2),
            "meetings_per_s": round(rerated / seconds, 1) if seconds else None, "target_s": TARGET_S,
            "meets_target": seconds < TARGET_S and rerated == held, "database": "sqlite"}


def _fill(engine, cell_count: int, rng: random.Random) -> list[str]:
    """The tree, rosters and a year of monthly meetings, inserted in bulk."""
    start = date(YEAR - 1, 1, 1)
    root, committees = str(uuid.uuid4()), [str(uuid.uuid4()) for _ in range(COMMITTEES)]
    cells = [str(uuid.uuid4()) for _ in range(cell_count)]
    orgs = [(root, None, "province"), *((c, root, "committee") for c in committees),
            *((c, committees[i % COMMITTEES], "subordinate_cell") for i, c in enumerate(cells))]
    now = datetime.now(timezone.utc)
    statuses = ["present"] * 17 + ["absent_excused"] * 2 + ["absent_unexcused"]
    with engine.begin() as conn:
        conn.execute(insert(Organization), [{"id": i, "name": f"Tổ chức {n}", "kind": k, "sector": "administrative",
                                            "created_from": start} for n, (i, _, k) in enumerate(orgs)])
        conn.execute(insert(OrganizationParent), [{"organization_id": i, "valid_from": start, "parent_id": p}
                                                  for i, p, _ in orgs])
        roster, meetings, lines = [], [], []
        for cell in cells:
            members = [str(uuid.uuid4()) for _ in range(MEMBERS_PER_CELL)]
            roster += [{"member_id": m, "valid_from": start, "organization_id": cell, "full_name": f"Đảng viên {j}",
                        "status": "official", "valid_to": None, "source_event_id": str(uuid.uuid4())}
                       for j, m in enumerate(members)]
            for month in range(1, 13):
                meeting_id = str(uuid.uuid4())
                meetings.append({"id": meeting_id, "organization_id": cell, "held_on": date(YEAR, month, 10),
                                 "kind": "regular", "duration_minutes": rng.choice((80, 95, 120)),
                                 "checklist": {k: rng.random() < 0.9 for k in CHECKS}, "status": "recorded",
                                 "revision": 1, "recorded_by": "bench", "recorded_at": now})
                lines += [{"meeting_id": meeting_id, "member_id": m, "status": (s := rng.choice(statuses)),
                           "spoke": s == "present" and rng.random() < 0.6, "absence_reason": None} for m in members]
        conn.execute(insert(RosterEntry), roster)
        conn.execute(insert(Meeting), meetings)
        conn.execute(insert(MeetingAttendance), lines)
    return sorted(cells)


def _rate_all(engine, cells: list[str]) -> int:
    """The first rating of every meeting (as the rating consumer would have done over the year)."""
    rated = 0
    for i in range(0, len(cells), ratings.CHUNK_CELLS):
        with UnitOfWork(engine, outbox) as uow:
            outcomes = ratings.rerate_cells(uow.session, cells[i:i + ratings.CHUNK_CELLS], date(YEAR, 1, 1), None,
                                            "recorded", rate_unrated=True)
            uow.publish(*(o.event for o in outcomes))
            uow.commit()
            rated += len(outcomes)
    return rated


def _stricter(engine) -> dict:
    """The seeded Phú Thọ rubric with every item worth a little differently: every meeting's score changes."""
    with engine.connect() as conn:
        definition = conn.execute(select(Rubric.definition).where(Rubric.code == "phu-tho-100")).scalar_one()
    definition = json.loads(json.dumps(definition))
    definition.update(code="bench-stricter", version=1, max=110)
    definition["groups"][0]["items"][0]["points"] += 10
    definition["groups"][0]["max"] += 10
    definition["bands"] = [{**b, "min": 99} if b["level"] == "tot" else {**b, "max": 99} if b["level"] == "kha" else b
                           for b in definition["bands"]]
    return definition


def markdown(result: dict) -> str:
    return (f"## Re-rating a province-year after a rubric change\n\n"
            f"{result['rerated']} of {result['meetings']} meetings ({result['cells']} cells) re-rated in "
            f"**{result['seconds']:.1f} s** ({result['meetings_per_s']} meetings/s, {result['chunk_cells']} cells per "
            f"transaction, {result['database']}); target < {result['target_s']:.0f} s: "
            f"{'met' if result['meets_target'] else 'NOT met'}.\n")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.rerate", description=__doc__.split("\n\n")[0])
    parser.add_argument("--meetings", type=int, default=22000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chibo-rerate-") as workdir:
        result = run(args.meetings, Path(workdir))
    sys.stdout.write(json.dumps(result, indent=2) + "\n" + markdown(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
