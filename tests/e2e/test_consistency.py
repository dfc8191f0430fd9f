"""The reports consistency check end to end: after a real run it finds no difference between the projection
and the members and meetings services' source records, and it names a difference made on purpose."""
from __future__ import annotations

import subprocess

from sqlalchemy import create_engine, text

from tests.e2e.stack import Stack, only_on, wait_for
from tests.e2e.test_first_slice import a_new_cell_on_the_demo, figures, record_meeting


def run_check(stack: Stack, org_id: str) -> subprocess.CompletedProcess:
    return stack.consistency_check(org_id, "--period", "2026-03")


@only_on("postgresql")  # on SQLite every e2e test's teardown runs the same check and finds nothing
def test_the_consistency_check_finds_nothing_after_a_run_and_names_a_difference_made_on_purpose(stack: Stack):
    token, committee, cell, members = a_new_cell_on_the_demo(stack)
    meeting = record_meeting(stack, token, cell, members, "2026-03-10")
    wait_for(lambda: figures(stack, token, cell, "2026-03"),
             lambda v: v["meetings_held"] == 1 and v["levels"]["unrated"] == 0 and v["members"]["total"] == 4,
             what="the rated meeting and the roll in the reports")

    clean = run_check(stack, committee)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert "Không có khác biệt" in clean.stdout

    stack.check_consistency = False  # broken on purpose below
    reports_db = create_engine(stack.database_urls["reports"])
    with reports_db.begin() as conn:
        conn.execute(text("UPDATE meeting_fact SET present = present - 1 WHERE meeting_id = :id"), {"id": meeting["id"]})
        conn.execute(text("DELETE FROM member_span WHERE member_id = :id"), {"id": members[0]})
    reports_db.dispose()
    broken = run_check(stack, committee)
    assert broken.returncode == 1
    lines = [line for line in broken.stdout.splitlines() if line.startswith("✗")]
    assert len(lines) == 2, broken.stdout
    assert f"meeting {meeting['id']}: present báo cáo / projection 2 ≠ nguồn / source 3" in lines[0]
    assert f"member {members[0]}: thiếu trong danh sách" in lines[1]
