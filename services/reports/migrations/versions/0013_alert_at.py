"""alert_at: each member_alert once per org on its cell's path on the day it was raised (reports/alerts.py,
``roll_alerts``), and member_alert's ``rolled_path``/``path_tail`` (what alert_at holds for it, re-rolled when the
tree moves). A subtree's reviews and absence limits of a range along the tree as it was are then one indexed
range by (org_id, raised_on): a province at national scale listed its ~9,000 orgs' index entries one by one
(~6 ms of ~25 in the alerts). Existing alerts are placed here as the projection would place them.

Revision ID: 0013_alert_at
Revises: 0012_roll_base
Create Date: 2026-11-22
"""
from datetime import date

import sqlalchemy as sa
from alembic import op

revision = "0013_alert_at"
down_revision = "0012_roll_base"
branch_labels = None
depends_on = None

CHUNK = 50_000
_KEY = ("kind", "member_id", "org_id", "year", "reason")


def upgrade() -> None:
    op.add_column("member_alert", sa.Column("rolled_path", sa.Text, nullable=False, server_default=""))
    op.add_column("member_alert", sa.Column("path_tail", sa.String(36), nullable=False, server_default=""))
    op.create_index("ix_member_alert_path_tail", "member_alert", ["path_tail"])
    op.create_table(
        "alert_at", sa.Column("kind", sa.String(20), nullable=False), sa.Column("member_id", sa.String(36), nullable=False),
        sa.Column("cell_id", sa.String(36), nullable=False), sa.Column("year", sa.Integer, nullable=False),
        sa.Column("reason", sa.String(30), nullable=False), sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("count", sa.Integer, nullable=False), sa.Column("raised_on", sa.Date, nullable=False),
        sa.PrimaryKeyConstraint("kind", "member_id", "cell_id", "year", "reason", "org_id"))
    op.create_index("ix_alert_at_org", "alert_at",
                    ["org_id", "raised_on", "kind", "member_id", "cell_id", "reason", "count"])
    _fill(op.get_bind())


def _fill(conn) -> None:
    from reports.tree import path_on
    parents: dict = {}
    for org, valid_from, parent in conn.execute(sa.select(sa.table(
            "org_parent", sa.column("org_id"), sa.column("valid_from", sa.Date), sa.column("parent_id")))):
        parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    alert = sa.table("member_alert", *(sa.column(c) for c in (*_KEY, "count", "rolled_path", "path_tail")),
                     sa.column("raised_on", sa.Date))
    at = sa.table("alert_at", *(sa.column(c) for c in ("kind", "member_id", "cell_id", "year", "reason", "org_id",
                                                      "count")), sa.column("raised_on", sa.Date))
    placed, updates = [], []
    for kind, member, org, year, reason, count, raised_on in conn.execute(
            sa.select(*(alert.c[k] for k in _KEY), alert.c["count"], alert.c.raised_on)).all():
        raised_on = raised_on if isinstance(raised_on, date) else date.fromisoformat(raised_on)
        path = path_on(parents, org, raised_on)
        placed += [{"kind": kind, "member_id": member, "cell_id": org, "year": year, "reason": reason, "org_id": up,
                    "count": count, "raised_on": raised_on} for up in path]
        updates.append({"k": kind, "m": member, "o": org, "y": year, "r": reason, "path": ",".join(path),
                        "tail": path[-1]})
    statement = alert.update().where(*(alert.c[k] == sa.bindparam(b) for k, b in zip(_KEY, "kmoyr"))).values(
        rolled_path=sa.bindparam("path"), path_tail=sa.bindparam("tail"))
    for start in range(0, len(updates), CHUNK):
        conn.execute(statement, updates[start:start + CHUNK])
    for start in range(0, len(placed), CHUNK):
        conn.execute(at.insert(), placed[start:start + CHUNK])


def downgrade() -> None:
    op.drop_table("alert_at")
    with op.batch_alter_table("member_alert") as batch:
        batch.drop_index("ix_member_alert_path_tail")
        for column in ("path_tail", "rolled_path"):
            batch.drop_column(column)
