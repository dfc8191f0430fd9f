"""Replaying a province's members into the reports projection (``projections.apply_batch``, no NATS): the cost
of the roll counters (``roll_month``) on a rebuild or an import.

A province's tree (committees → grassroots committees → cells), then ``--members`` registrations dated decades
back (profiles with dates of birth and party ages, so every member crosses bands over the years), 5 % of them
transferred to another cell and 2 % ended, in batches of 2048 events (the reports consumers' batch size), one
transaction each, into a fresh migrated SQLite file. Prints events/s of the member phase and the rows written.
Run it on a checkout without ``roll_months`` for the "before" figure (it uses nothing else).

``PYTHONPATH=.:services/reports python -m bench.members_replay [--members 20000] [--cells 1000]``
"""
from __future__ import annotations

import argparse
import random
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path

from sqlalchemy import func, select, text
from sqlmodel import Session

ROOT = Path(__file__).resolve().parents[1]
REPORTS_DIR = ROOT / "services" / "reports"

BATCH = 2048
SECTORS = ("administrative", "school", "state_enterprise", "rural_residential", "armed_forces")


def _events(members: int, cells: int, seed: int = 5) -> tuple[list, list]:
    from shared.events import (MemberRegistered, MembershipEnded, MemberTransferred, OrganizationCreated,
                               StatisticalProfile)
    rng, since = random.Random(seed), date(1970, 1, 1)
    ids = iter(uuid.UUID(int=rng.getrandbits(128)) for _ in range(10 ** 9))
    province = next(ids)
    orgs = [OrganizationCreated(organization_id=province, parent_id=None, name="Đảng bộ tỉnh", kind="province",
                                effective_from=since)]
    cell_ids = []
    for c in range(max(1, cells // 50)):
        committee = next(ids)
        orgs.append(OrganizationCreated(organization_id=committee, parent_id=province, name=f"Huyện {c}",
                                        kind="committee", effective_from=since))
        for g in range(10):
            grassroots = next(ids)
            orgs.append(OrganizationCreated(organization_id=grassroots, parent_id=committee, name=f"Xã {g}",
                                            kind="grassroots_committee", effective_from=since))
            for k in range(5):
                cell = next(ids)
                cell_ids.append(cell)
                orgs.append(OrganizationCreated(organization_id=cell, parent_id=grassroots, name=f"Chi bộ {k}",
                                                kind="subordinate_cell", sector=rng.choice(SECTORS),
                                                effective_from=since))
    people = []
    for _ in range(members):
        member, cell = next(ids), rng.choice(cell_ids)
        joined = date(rng.randint(1975, 2025), rng.randint(1, 12), rng.randint(1, 28))
        born = date(joined.year - rng.randint(18, 40), rng.randint(1, 12), rng.randint(1, 28))
        profile = StatisticalProfile(sex=rng.choice(("male", "female")), date_of_birth=born, ethnicity="Kinh",
                                     education_level="12/12", party_age_start=joined)
        people.append(MemberRegistered(member_id=member, organization_id=cell, full_name="Đảng viên",
                                       sex=profile.sex, date_of_birth=born, status="official", profile=profile,
                                       effective_from=joined))
        r = rng.random()
        later = date(rng.randint(joined.year + 1, 2026), rng.randint(1, 12), rng.randint(1, 28))
        if r < 0.05:
            people.append(MemberTransferred(member_id=member, from_organization_id=cell,
                                            to_organization_id=rng.choice(cell_ids), effective_from=later))
        elif r < 0.07:
            people.append(MembershipEnded(member_id=member, organization_id=cell, reason="exited",
                                          effective_from=later))
    return orgs, people


def run(members: int, cells: int, workdir: Path) -> dict:
    sys.path.append(str(REPORTS_DIR))
    import reports
    from shared.db import make_engine, migrate
    from reports.projections import apply_batch
    url = f"sqlite:///{workdir / 'replay.db'}"
    migrate(Path(reports.__file__).resolve().parents[1], url)  # the checkout on the path (before/after)
    engine = make_engine(url)
    orgs, people = _events(members, cells)
    timings = {}
    try:
        for name, events in (("tree", orgs), ("members", people)):
            started = time.perf_counter()
            for start in range(0, len(events), BATCH):
                with Session(engine) as session:
                    apply_batch(session, events[start:start + BATCH])
                    session.commit()
            timings[name] = time.perf_counter() - started
        with engine.connect() as conn:
            tables = [t for (t,) in conn.execute(text("SELECT name FROM sqlite_master WHERE type='table'"))]
            rows = {t: conn.execute(select(func.count()).select_from(text(t))).scalar_one()
                    for t in ("member_span", "roll_month") if t in tables}
    finally:
        engine.dispose()
    return {"members": members, "member_events": len(people), "organizations": len(orgs),
            "seconds": {k: round(v, 1) for k, v in timings.items()},
            "member_events_per_s": round(len(people) / timings["members"]), "rows": rows}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.members_replay", description=__doc__.split("\n\n")[0])
    parser.add_argument("--members", type=int, default=20000)
    parser.add_argument("--cells", type=int, default=1000)
    args = parser.parse_args(argv)
    with tempfile.TemporaryDirectory(prefix="chibo-members-replay-") as workdir:
        print(run(args.members, args.cells, Path(workdir)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
