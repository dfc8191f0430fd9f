"""Grade counters for named periods along the tree as it was (issue 5 item 6): grade_fact keeps the path it is
counted along (its org and the org's ancestors on 31 December of the year) and grade_stat counts the kept
grades per (org, year, subject kind, level) (reports/counters.py keeps them). Existing rows are filled here as
the projection would have: the figures never read half-built counters.

Revision ID: 0009_grade_stat
Revises: 0008_alert_org_index
Create Date: 2026-11-22
"""
from collections import defaultdict
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0009_grade_stat"
down_revision = "0008_alert_org_index"
branch_labels = None
depends_on = None

CHUNK = 100_000


def upgrade() -> None:
    op.add_column("grade_fact", sa.Column("rolled_path", sa.Text, nullable=False, server_default=""))
    op.add_column("grade_fact", sa.Column("path_tail", sa.String(36), nullable=False, server_default=""))
    op.create_index("ix_grade_fact_path_tail", "grade_fact", ["path_tail"])
    op.create_table(
        "grade_stat", sa.Column("org_id", sa.String(36), nullable=False), sa.Column("year", sa.Integer, nullable=False),
        sa.Column("subject_kind", sa.String(12), nullable=False), sa.Column("level", sa.String(20), nullable=False),
        sa.Column("count", sa.Integer, nullable=False), sa.PrimaryKeyConstraint("org_id", "year", "subject_kind", "level"))
    _fill(op.get_bind())


def _fill(conn) -> None:
    from reports.counters import grade_counts
    from reports.tree import path_on
    parents = {}
    for org, valid_from, parent in conn.execute(sa.select(sa.table(
            "org_parent", sa.column("org_id"), sa.column("valid_from", sa.Date), sa.column("parent_id")))):
        parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    grade = sa.table("grade_fact", *(sa.column(c) for c in ("subject_kind", "subject_id", "year", "org_id", "level",
                                                            "rolled_path", "path_tail")))
    counts: dict = defaultdict(int)
    paths: dict[tuple[str, int], tuple[str, ...]] = {}
    updates = []
    rows = conn.execute(sa.select(grade.c.subject_kind, grade.c.subject_id, grade.c.year, grade.c.org_id, grade.c.level))
    while chunk := rows.fetchmany(CHUNK):
        for kind, subject, year, org, level in chunk:
            path = paths.get((org, year))
            if path is None:
                path = paths[(org, year)] = path_on(parents, org, date(year, 12, 31))
            for key in grade_counts(path, year, kind, level):
                counts[key] += 1
            updates.append({"k": kind, "s": subject, "y": year, "path": ",".join(path), "tail": path[-1]})
    statement = grade.update().where(grade.c.subject_kind == sa.bindparam("k"), grade.c.subject_id == sa.bindparam("s"),
                                     grade.c.year == sa.bindparam("y")).values(rolled_path=sa.bindparam("path"),
                                                                               path_tail=sa.bindparam("tail"))
    _write(conn, statement, updates)
    stat = sa.table("grade_stat", *(sa.column(c) for c in ("org_id", "year", "subject_kind", "level", "count")))
    _write(conn, stat.insert(), [{"org_id": o, "year": y, "subject_kind": k, "level": lv, "count": n}
                                 for (o, y, k, lv), n in counts.items() if n])


def _write(conn, statement, params: list[dict]) -> None:
    for start in range(0, len(params), CHUNK):
        conn.execute(statement, params[start:start + CHUNK])


def downgrade() -> None:
    op.drop_table("grade_stat")
    with op.batch_alter_table("grade_fact") as batch:
        batch.drop_index("ix_grade_fact_path_tail")
        for column in ("path_tail", "rolled_path"):
            batch.drop_column(column)
