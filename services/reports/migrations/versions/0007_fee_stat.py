"""Fee counters for named periods along the tree as it was (issue 5 item 6): fee_sheet keeps its sums (due,
paid) and the path it is counted along (the cell, its ancestors on the month's first day); fee_stat sums the
sheets per (org, period) and fee_unpaid counts each member's unpaid lines per (org, period), so that the
figures' distinct unpaid members are ``count(*) where lines > 0`` (reports/counters.py keeps them). Existing
rows are filled here from fee_sheet and fee_line, as the projection would have: the figures never read
half-built counters.

Revision ID: 0007_fee_stat
Revises: 0006_roll_place
Create Date: 2026-11-22
"""
from collections import defaultdict

import sqlalchemy as sa
from alembic import op

revision = "0007_fee_stat"
down_revision = "0006_roll_place"
branch_labels = None
depends_on = None

CHUNK = 100_000


def upgrade() -> None:
    for column in ("due_vnd", "paid_vnd"):
        op.add_column("fee_sheet", sa.Column(column, sa.BigInteger, nullable=False, server_default="0"))
    op.add_column("fee_sheet", sa.Column("rolled_path", sa.Text, nullable=False, server_default=""))
    op.add_column("fee_sheet", sa.Column("path_tail", sa.String(36), nullable=False, server_default=""))
    op.create_index("ix_fee_sheet_path_tail", "fee_sheet", ["path_tail"])
    op.create_table(
        "fee_stat", sa.Column("org_id", sa.String(36), nullable=False), sa.Column("period", sa.String(7), nullable=False),
        sa.Column("due_vnd", sa.BigInteger, nullable=False), sa.Column("paid_vnd", sa.BigInteger, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "period"))
    op.create_table(
        "fee_unpaid", sa.Column("org_id", sa.String(36), nullable=False), sa.Column("period", sa.String(7), nullable=False),
        sa.Column("member_id", sa.String(36), nullable=False), sa.Column("lines", sa.Integer, nullable=False),
        sa.PrimaryKeyConstraint("org_id", "period", "member_id"))
    _fill(op.get_bind())


def _fill(conn) -> None:
    from reports.counters import fee_counts, unpaid_counts
    from reports.tree import path_on
    parents = {}
    for org, valid_from, parent in conn.execute(sa.select(sa.table(
            "org_parent", sa.column("org_id"), sa.column("valid_from", sa.Date), sa.column("parent_id")))):
        parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    line = sa.table("fee_line", sa.column("org_id"), sa.column("month", sa.Date), sa.column("member_id"),
                    sa.column("due_vnd", sa.BigInteger), sa.column("paid_vnd", sa.BigInteger))
    sheet = sa.table("fee_sheet", sa.column("org_id"), sa.column("month", sa.Date), sa.column("due_vnd"),
                     sa.column("paid_vnd"), sa.column("rolled_path"), sa.column("path_tail"))
    sheets = {(org, month): [0, 0] for org, month in conn.execute(sa.select(sheet.c.org_id, sheet.c.month))}
    for org, month, due, paid in conn.execute(sa.select(line.c.org_id, line.c.month, sa.func.sum(line.c.due_vnd),
                                                        sa.func.sum(line.c.paid_vnd)).group_by(line.c.org_id, line.c.month)):
        if (org, month) in sheets:
            sheets[(org, month)] = [int(due), int(paid)]
    paths = {key: path_on(parents, key[0], key[1]) for key in sheets}
    sums: dict = defaultdict(lambda: [0, 0])
    for (org, month), (due, paid) in sheets.items():
        for key, values in fee_counts(paths[(org, month)], month, due, paid).items():
            sums[key] = [a + b for a, b in zip(sums[key], values)]
    _write(conn, sheet.update().where(sheet.c.org_id == sa.bindparam("o"), sheet.c.month == sa.bindparam("m")).values(
        due_vnd=sa.bindparam("d"), paid_vnd=sa.bindparam("p"), rolled_path=sa.bindparam("path"),
        path_tail=sa.bindparam("tail")),
        [{"o": o, "m": m, "d": d, "p": p, "path": ",".join(paths[(o, m)]), "tail": paths[(o, m)][-1]}
         for (o, m), (d, p) in sheets.items()])
    stat = sa.table("fee_stat", *(sa.column(c) for c in ("org_id", "period", "due_vnd", "paid_vnd")))
    _write(conn, stat.insert(), [{"org_id": o, "period": p, "due_vnd": v[0], "paid_vnd": v[1]}
                                 for (o, p), v in sums.items() if any(v)])
    refs: dict = defaultdict(int)
    rows = conn.execute(sa.select(line.c.org_id, line.c.month, line.c.member_id).where(line.c.paid_vnd < line.c.due_vnd))
    while chunk := rows.fetchmany(CHUNK):
        for org, month, member in chunk:
            if (org, month) in paths:
                for key in unpaid_counts(paths[(org, month)], month, (member,)):
                    refs[key] += 1
    unpaid = sa.table("fee_unpaid", *(sa.column(c) for c in ("org_id", "period", "member_id", "lines")))
    _write(conn, unpaid.insert(), [{"org_id": o, "period": p, "member_id": m, "lines": n} for (o, p, m), n in refs.items()])


def _write(conn, statement, params: list[dict]) -> None:
    for start in range(0, len(params), CHUNK):
        if params[start:start + CHUNK]:
            conn.execute(statement, params[start:start + CHUNK])


def downgrade() -> None:
    op.drop_table("fee_unpaid")
    op.drop_table("fee_stat")
    with op.batch_alter_table("fee_sheet") as batch:
        batch.drop_index("ix_fee_sheet_path_tail")
        for column in ("path_tail", "rolled_path", "paid_vnd", "due_vnd"):
            batch.drop_column(column)
