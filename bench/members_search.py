"""``python -m bench.members_search [--members 100000] [--organizations 10000] [--queries 200] [--database-url URL]``:
member search in a province-sized members database (issue 3 item 8: p99 < 100 ms), measured, never asserted.

A province (committees → grassroots committees → cells, ``--organizations`` in all) and ``--members`` members
with Vietnamese names, CCCDs, statuses and birth dates are bulk-inserted into a fresh, migrated members database
(a temp SQLite file unless ``--database-url``). Then ``GET /members/api/members/search`` is called through the real
app in-process (the ASGI test client: routing, auth, validation, JSON included) and timed per query kind:
a name typed without diacritics, a CCCD, filters without text (status + sector + age band), a name inside one
cell's filter, and a committee's name search in its own subtree."""
from __future__ import annotations

import argparse
import json
import random
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timedelta, timezone
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import insert, text

from bench.stats import summary
from members import models
from members.bootstrap import SERVICE_DIR, create_app
from members.config import Settings
from members.searchkey import search_key
from shared.auth import issue_token
from shared.db import make_engine, migrate

TARGET_MS = 100.0
SECRET = "bench-members-search-secret-at-least-32-bytes"
SURNAMES = ["Nguyễn", "Trần", "Lê", "Phạm", "Hoàng", "Huỳnh", "Phan", "Vũ", "Võ", "Đặng", "Bùi", "Đỗ", "Hồ", "Ngô",
            "Dương", "Lý", "Đinh", "Trịnh", "Cao", "Lương", "Hà", "Tạ", "Mai", "Kiều"]
MIDDLES = ["Văn", "Thị", "Hữu", "Đức", "Minh", "Quang", "Thanh", "Ngọc", "Thu", "Xuân", "Công", "Hồng", "Kim", "Bảo"]
GIVEN = ["An", "Bình", "Cường", "Dũng", "Giang", "Hải", "Hạnh", "Hùng", "Hương", "Khánh", "Lan", "Linh", "Long",
         "Mai", "Nam", "Nga", "Oanh", "Phong", "Phúc", "Quân", "Quỳnh", "Sơn", "Tâm", "Thảo", "Thắng", "Trang",
         "Trung", "Tuấn", "Vân", "Việt", "Yến", "Đông", "Ánh", "Ngân", "Hiếu", "Lộc"]
SECTORS = ["administrative", "public_service", "state_enterprise", "non_state_enterprise", "school",
           "armed_forces", "rural_residential"]


def build_province(n_orgs: int, n_members: int, rng: random.Random):
    """(organizations, parent links, members, placements) as rows for bulk inserts."""
    start, now = date(2020, 1, 1), datetime.now(timezone.utc)
    committees = max(1, n_orgs // 500)
    grassroots = max(1, n_orgs // 20)
    cells_n = max(1, n_orgs - 1 - committees - grassroots)
    orgs, links = [], []

    def org(kind: str, name: str, parent: uuid.UUID | None) -> uuid.UUID:
        oid = uuid.uuid4()
        orgs.append({"id": oid, "name": name, "kind": kind, "sector": rng.choice(SECTORS), "cluster": None,
                     "created_on": start, "dissolved_on": None, "created_at": now, "merged_into_id": None})
        if parent is not None:
            links.append({"org_id": oid, "parent_id": parent, "valid_from": start, "valid_to": None})
        return oid

    province = org("province", "Đảng bộ tỉnh", None)
    committee_ids = [org("committee", f"Đảng bộ khối {i + 1}", province) for i in range(committees)]
    grassroots_ids = [org("grassroots_committee", f"Đảng bộ cơ sở {i + 1}", committee_ids[i % committees])
                      for i in range(grassroots)]
    cells = [org("subordinate_cell", f"Chi bộ {i + 1}", grassroots_ids[i % grassroots]) for i in range(cells_n)]
    members, placements = [], []
    today = date.today()
    for n in range(n_members):
        mid, cell = uuid.uuid4(), cells[n % len(cells)]
        name = f"{rng.choice(SURNAMES)} {rng.choice(MIDDLES)} {rng.choice(GIVEN)}"
        roll = rng.random()
        status = "official" if roll < 0.9 else ("probationary" if roll < 0.97 else "ended")
        born = today - timedelta(days=rng.randint(19 * 365, 85 * 365))
        ended_on = date(2024, 6, 1) if status == "ended" else None
        members.append({"id": mid, "full_name": name, "search_name": search_key(name), "sex": rng.choice(
            ("male", "female")), "date_of_birth": born, "status": status, "cccd": f"0{n:011d}", "phone": None,
            "created_at": now, "readmissions": 0, "ended_on": ended_on,
            "party_card_number": f"{n:08d}" if status == "official" else None, "cell_id": cell})
        placements.append({"member_id": mid, "organization_id": cell, "valid_from": start,
                           "valid_to": ended_on})
    return province, committee_ids, cells, orgs, links, members, placements


def load(engine, orgs, links, members, placements) -> None:
    """Bulk inserts (no ORM): the name tokens the ORM hook keeps are written here as the hook would."""
    tokens = [row for m in members for row in models.name_token_rows(m["id"], m["search_name"])]
    with engine.begin() as conn:
        for table, rows in ((models.Organization, orgs), (models.OrganizationParent, links), (models.Member, members),
                            (models.MemberPlacement, placements), (models.MemberNameToken, tokens)):
            for i in range(0, len(rows), 5000):
                conn.execute(insert(table.__table__), rows[i:i + 5000])
        models.insert_name_words(conn, {row["token"] for row in tokens})


def timed(client: TestClient, headers: dict, params_list: list[dict]) -> tuple[list[float], list[int]]:
    for params in params_list[:10]:  # warm-up: connection pool, caches
        client.get("/members/api/members/search", params=params, headers=headers)
    times, totals = [], []
    for params in params_list:
        start = time.perf_counter()
        response = client.get("/members/api/members/search", params=params, headers=headers)
        times.append((time.perf_counter() - start) * 1000)
        if response.status_code != 200:
            raise RuntimeError(f"{params}: {response.status_code} {response.text[:300]}")
        totals.append(response.json()["total"])
    return times, totals


def run(n_members: int, n_orgs: int, queries: int, database_url: str | None, workdir: Path, seed: int = 7) -> dict:
    url = database_url or f"sqlite:///{workdir / 'members.db'}"
    migrate(SERVICE_DIR, url)
    rng = random.Random(seed)
    province, committees, cells, orgs, links, members, placements = build_province(n_orgs, n_members, rng)
    engine = make_engine(url)
    started = time.perf_counter()
    load(engine, orgs, links, members, placements)
    load_s = round(time.perf_counter() - started, 1)
    if engine.dialect.name == "postgresql":  # statistics and visibility map as autovacuum would leave them
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text("VACUUM ANALYZE"))
    engine.dispose()
    settings = Settings(database_url=url, nats_url="nats://127.0.0.1:1", start_relay=False, start_consumers=False,
                        environment="development", jwt_secret=SECRET, log_json=True, log_level="WARNING")
    token = lambda role, org: {"Authorization": "Bearer " + issue_token(  # noqa: E731
        SECRET, username=f"bench-{role}", role=role, org_id=org, name="Bench")}
    province_h, committee_h = token("province", province), token("committee", committees[0])
    pick = lambda: rng.choice(members)  # noqa: E731
    kinds = {
        "name_accent_free": (province_h, [{"q": search_key(pick()["full_name"])} for _ in range(queries)]),
        "name_given_only": (province_h, [{"q": search_key(pick()["full_name"]).split()[-1]} for _ in range(queries)]),
        "cccd": (province_h, [{"q": pick()["cccd"]} for _ in range(queries)]),
        "filtered_no_text": (province_h, [{"status": rng.choice(("official", "probationary")),
                                           "sector": rng.choice(SECTORS), "age_band": rng.choice(
                                               ("31-40", "41-50", "51-60"))} for _ in range(queries)]),
        "name_in_cell": (province_h, [{"q": rng.choice(MIDDLES).lower(), "cell_id": str(rng.choice(cells))}
                                      for _ in range(queries)]),
        "committee_name_subtree": (committee_h, [{"q": search_key(pick()["full_name"])} for _ in range(queries)]),
    }
    results = {}
    with TestClient(create_app(settings)) as client:
        for kind, (headers, params) in kinds.items():
            times, totals = timed(client, headers, params)
            results[kind] = {**summary(times), "mean_matches": round(sum(totals) / len(totals), 1)}
    worst = max(r["p99"] for r in results.values())
    return {"members": n_members, "organizations": len(orgs), "database": url.split(":", 1)[0], "load_s": load_s,
            "queries_per_kind": queries, "latency_ms": results, "worst_p99_ms": worst, "target_p99_ms": TARGET_MS,
            "within_target": worst < TARGET_MS}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.members_search", description=__doc__)
    parser.add_argument("--members", type=int, default=100_000)
    parser.add_argument("--organizations", type=int, default=10_000)
    parser.add_argument("--queries", type=int, default=200, help="timed requests per query kind")
    parser.add_argument("--database-url", help="an empty database (default: a temp SQLite file)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="chibo-bench-search-"))
    try:
        result = run(args.members, args.organizations, args.queries, args.database_url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
