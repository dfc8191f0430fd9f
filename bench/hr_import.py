"""``python -m bench.hr_import [--rows 100000] [--xlsx] [--database-url URL]``: the HR import of a large export
(issue 3: 100,000 rows in under 30 s with visible progress), measured, never asserted.

A province of ``--rows`` members is bulk-inserted into a fresh, migrated members database (SQLite file in a temp
folder unless ``--database-url``), an HR export with one row per member is written (CSV, or XLSX with
``--xlsx``), then: preview (read, check, match, store), commit (re-match, apply in one transaction), and the same
file again (all rows unchanged). Progress ticks are counted to show the bar moves throughout."""
from __future__ import annotations

import argparse
import csv
import io
import json
import shutil
import sys
import tempfile
import time
import uuid
from datetime import date, datetime, timezone
from pathlib import Path

from sqlalchemy import insert

from members import models
from members.bootstrap import SERVICE_DIR
from members.hr import load_mapping
from members.hr_usecases import commit_import, preview_import
from shared.db import make_engine, migrate
from shared.uow import UnitOfWork

TARGET_S = 30.0
CELL_SIZE = 50
HEADER = ["Mã nhân sự", "Số CCCD", "Họ và tên", "Đơn vị công tác", "Chức vụ", "Lương đóng BHXH", "Lương hưu"]


def seed_province(engine, rows: int) -> list[tuple[uuid.UUID, str]]:
    """One province, one committee, a cell per 50 members, ``rows`` members with a CCCD each (bulk insert)."""
    start, now = date(2026, 1, 1), datetime.now(timezone.utc)
    root, committee = uuid.uuid4(), uuid.uuid4()
    cells = [uuid.uuid4() for _ in range(max(1, (rows + CELL_SIZE - 1) // CELL_SIZE))]
    org = lambda i, n, k: {"id": i, "name": n, "kind": k, "sector": "administrative", "cluster": None,  # noqa: E731
                           "created_on": start, "dissolved_on": None, "created_at": now}
    members = [(uuid.uuid4(), f"{i:012d}") for i in range(1, rows + 1)]
    with engine.begin() as conn:
        conn.execute(insert(models.Organization.__table__), [
            org(root, "Đảng bộ tỉnh", "province"), org(committee, "Đảng bộ các cơ quan Đảng tỉnh", "committee"),
            *[org(c, f"Chi bộ {n}", "grassroots_cell") for n, c in enumerate(cells)]])
        conn.execute(insert(models.OrganizationParent.__table__), [
            {"org_id": committee, "parent_id": root, "valid_from": start, "valid_to": None},
            *[{"org_id": c, "parent_id": committee, "valid_from": start, "valid_to": None} for c in cells]])
        conn.execute(insert(models.Member.__table__), [
            {"id": m, "full_name": f"Đảng viên {n}", "sex": "male", "date_of_birth": date(1980, 1, 1),
             "status": "official", "cccd": cccd, "phone": None, "created_at": now} for n, (m, cccd) in enumerate(members)])
        conn.execute(insert(models.MemberPlacement.__table__), [
            {"member_id": m, "organization_id": cells[n // CELL_SIZE], "valid_from": start, "valid_to": None}
            for n, (m, _) in enumerate(members)])
    return members


def export(members: list[tuple[uuid.UUID, str]], xlsx: bool) -> tuple[str, bytes]:
    rows = [[f"NS-{n:06d}", cccd, f"Đảng viên {n}", f"Sở số {n % 40}", "Chuyên viên", str(5_000_000 + n % 997 * 1000), ""]
            for n, (_, cccd) in enumerate(members)]
    if xlsx:
        from openpyxl import Workbook

        book = Workbook(write_only=True)
        sheet = book.create_sheet()
        sheet.append(HEADER)
        for row in rows:
            sheet.append(row)
        out = io.BytesIO()
        book.save(out)
        return "hr.xlsx", out.getvalue()
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(HEADER)
    writer.writerows(rows)
    return "hr.csv", out.getvalue().encode("utf-8")


class Ticks:
    def __init__(self) -> None:
        self.count, self.rows, self.stamps = 0, 0, []

    def __call__(self, n: int) -> None:
        self.count, self.rows = self.count + 1, self.rows + n
        self.stamps.append(time.perf_counter())


def timed(fn):
    ticks, start = Ticks(), time.perf_counter()
    result = fn(ticks)
    return result, round(time.perf_counter() - start, 2), ticks


def run(rows: int, xlsx: bool, database_url: str | None, workdir: Path) -> dict:
    url = database_url or f"sqlite:///{workdir / 'members.db'}"
    migrate(SERVICE_DIR, url)
    engine = make_engine(url)
    try:
        members = seed_province(engine, rows)
        name, content = export(members, xlsx)
        mapping, effective = load_mapping(), date(2026, 3, 1)

        def preview(progress):
            return preview_import(UnitOfWork(engine, models.outbox), name, content, None, mapping=mapping,
                                  effective_from=effective, progress=progress)

        first, preview_s, preview_ticks = timed(preview)
        summary, commit_s, commit_ticks = timed(lambda p: commit_import(UnitOfWork(engine, models.outbox), first.id,
                                                                        None, progress=p))
        second, again_s, _ = timed(preview)
        return {"rows": rows, "format": "xlsx" if xlsx else "csv", "database": url.split(":", 1)[0],
                "file_mb": round(len(content) / 1e6, 1), "preview_s": preview_s, "commit_s": commit_s,
                "total_s": round(preview_s + commit_s, 2), "target_s": TARGET_S,
                "within_target": preview_s + commit_s < TARGET_S, "same_file_again_preview_s": again_s,
                "first_summary": json.loads(first.summary), "committed": summary,
                "second_summary": json.loads(second.summary),
                "progress_ticks": {"preview": preview_ticks.count, "commit": commit_ticks.count}}
    finally:
        engine.dispose()


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench.hr_import", description=__doc__)
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--xlsx", action="store_true", help="an XLSX export instead of CSV")
    parser.add_argument("--database-url", help="an empty database (default: a temp SQLite file)")
    args = parser.parse_args(argv)
    workdir = Path(tempfile.mkdtemp(prefix="chibo-bench-hr-"))
    try:
        result = run(args.rows, args.xlsx, args.database_url, workdir)
    finally:
        shutil.rmtree(workdir, ignore_errors=True)
    sys.stdout.write(json.dumps(result, indent=2, ensure_ascii=False) + "\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
