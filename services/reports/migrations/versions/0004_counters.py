"""Counters for named periods along the tree as it was (issue 5 item 6): period_stat gains meetings held per
kind and with upper-level attendance; obligation_stat and change_stat count closed obligations and lifecycle
changes per (org, period), rolled along the paths now stored on obligation_fact and member_change
(reports/counters.py). Existing rows are filled here from the facts, as the projection would have.
Merges the two 0003 heads (alerts, scale indexes).

Revision ID: 0004_counters
Revises: 0003_alerts, 0003_scale_indexes
Create Date: 2026-11-22
"""
from collections import defaultdict

from alembic import op
import sqlalchemy as sa

revision = "0004_counters"
down_revision = ("0003_alerts", "0003_scale_indexes")
branch_labels = None
depends_on = None

KIND_COLUMNS = ("held_regular", "held_thematic", "held_combined", "held_extraordinary", "held_model")
PATHS = {"obligation_fact": ("",), "member_change": ("", "other_")}
CHUNK = 100_000


def upgrade() -> None:
    for column in (*KIND_COLUMNS, "upper_level"):
        op.add_column("period_stat", sa.Column(column, sa.Integer, nullable=False, server_default="0"))
    for table, prefixes in PATHS.items():
        for p in prefixes:
            op.add_column(table, sa.Column(f"{p}rolled_path", sa.Text, nullable=False, server_default=""))
            op.add_column(table, sa.Column(f"{p}path_tail", sa.String(36), nullable=False, server_default=""))
            op.create_index(f"ix_{table}_{p}path_tail", table, [f"{p}path_tail"])
    op.create_table(
        "obligation_stat", sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("period", sa.String(7), nullable=False), sa.Column("obligation", sa.String(20), nullable=False),
        *(sa.Column(c, sa.Integer, nullable=False) for c in ("required", "held", "missed")),
        sa.PrimaryKeyConstraint("org_id", "period", "obligation"))
    op.create_table(
        "change_stat", sa.Column("org_id", sa.String(36), nullable=False),
        sa.Column("period", sa.String(7), nullable=False), sa.Column("kind", sa.String(40), nullable=False),
        sa.Column("count", sa.Integer, nullable=False), sa.PrimaryKeyConstraint("org_id", "period", "kind"))
    conn = op.get_bind()
    _fill_meetings(conn)
    parents = _parents(conn)
    _fill_obligations(conn, parents)
    _fill_changes(conn, parents)


def _fill_meetings(conn) -> None:
    """The new period_stat columns from meeting_fact along each fact's stored path (as period_stat's others)."""
    from reports.facts import MEETING_KINDS
    from reports.periods import periods_of
    fact = sa.table("meeting_fact", sa.column("held_on", sa.Date), sa.column("kind", sa.String),
                    sa.column("upper_level_attended", sa.Boolean), sa.column("rolled_path", sa.Text))
    stat = sa.table("period_stat", sa.column("org_id"), sa.column("period"),
                    *(sa.column(c, sa.Integer) for c in (*KIND_COLUMNS, "upper_level")))
    update = stat.update().where(stat.c.org_id == sa.bindparam("o"), stat.c.period == sa.bindparam("p")).values(
        **{c: stat.c[c] + sa.bindparam(f"v_{c}") for c in (*KIND_COLUMNS, "upper_level")})
    rows = conn.execute(sa.select(fact))
    while chunk := rows.fetchmany(CHUNK):
        sums: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0] * 6)
        for held_on, kind, upper, path in chunk:
            values = [int(kind == k) for k in MEETING_KINDS] + [int(bool(upper))]
            for org in path.split(","):
                for period in periods_of(held_on):
                    sums[(org, period)] = [a + b for a, b in zip(sums[(org, period)], values)]
        _write(conn, update, [{"o": o, "p": p, **{f"v_{c}": v for c, v in zip((*KIND_COLUMNS, "upper_level"), vs)}}
                              for (o, p), vs in sums.items() if any(vs)])


def _write(conn, statement, params: list[dict]) -> None:
    for start in range(0, len(params), CHUNK):
        if params[start:start + CHUNK]:
            conn.execute(statement, params[start:start + CHUNK])


def _parents(conn):
    parents = {}
    for org, valid_from, parent in conn.execute(sa.select(sa.table(
            "org_parent", sa.column("org_id"), sa.column("valid_from", sa.Date), sa.column("parent_id")))):
        parents.setdefault(org, []).append((valid_from, parent))
    for history in parents.values():
        history.sort(key=lambda row: row[0])
    return parents


def _fill_obligations(conn, parents) -> None:
    from reports.counters import obligation_counts
    from reports.tree import path_on
    fact = sa.table("obligation_fact", sa.column("org_id"), sa.column("obligation"), sa.column("period_start", sa.Date),
                    sa.column("period_end", sa.Date), sa.column("met", sa.Boolean), sa.column("rolled_path"),
                    sa.column("path_tail"))
    sums, paths = defaultdict(lambda: [0, 0, 0]), []
    for org, obligation, start, end, met, _, _ in conn.execute(sa.select(fact)).fetchall():
        path = path_on(parents, org, end)
        paths.append({"o": org, "k": obligation, "s": start, "path": ",".join(path), "tail": path[-1]})
        for key, values in obligation_counts(path, end, obligation, met).items():
            sums[key] = [a + b for a, b in zip(sums[key], values)]
    _write(conn, fact.update().where(fact.c.org_id == sa.bindparam("o"), fact.c.obligation == sa.bindparam("k"),
                                     fact.c.period_start == sa.bindparam("s"))
           .values(rolled_path=sa.bindparam("path"), path_tail=sa.bindparam("tail")), paths)
    stat = sa.table("obligation_stat", *(sa.column(c) for c in ("org_id", "period", "obligation", "required", "held",
                                                                "missed")))
    _write(conn, stat.insert(), [{"org_id": o, "period": p, "obligation": k, "required": v[0], "held": v[1],
                                  "missed": v[2]} for (o, p, k), v in sums.items()])


def _fill_changes(conn, parents) -> None:
    from reports.counters import change_counts
    from reports.tree import path_on
    change = sa.table("member_change", sa.column("event_id"), sa.column("kind"), sa.column("org_id"),
                      sa.column("other_org_id"), sa.column("happened_on", sa.Date), sa.column("rolled_path"),
                      sa.column("path_tail"), sa.column("other_rolled_path"), sa.column("other_path_tail"))
    sums, paths = defaultdict(int), []
    for event_id, kind, org, other, day, *_ in conn.execute(sa.select(change)).fetchall():
        path = path_on(parents, org, day)
        other_path = path_on(parents, other, day) if kind == "transferred" and other else ()
        paths.append({"e": event_id, "path": ",".join(path), "tail": path[-1], "other": ",".join(other_path),
                      "other_tail": other_path[-1] if other_path else ""})
        for key in change_counts(kind, path, other_path, day):
            sums[key] += 1
    _write(conn, change.update().where(change.c.event_id == sa.bindparam("e")).values(
        rolled_path=sa.bindparam("path"), path_tail=sa.bindparam("tail"), other_rolled_path=sa.bindparam("other"),
        other_path_tail=sa.bindparam("other_tail")), paths)
    stat = sa.table("change_stat", *(sa.column(c) for c in ("org_id", "period", "kind", "count")))
    _write(conn, stat.insert(), [{"org_id": o, "period": p, "kind": k, "count": n} for (o, p, k), n in sums.items() if n])


def downgrade() -> None:
    op.drop_table("change_stat")
    op.drop_table("obligation_stat")
    for table, prefixes in PATHS.items():
        with op.batch_alter_table(table) as batch:
            for p in prefixes:
                batch.drop_index(f"ix_{table}_{p}path_tail")
                batch.drop_column(f"{p}path_tail")
                batch.drop_column(f"{p}rolled_path")
    with op.batch_alter_table("period_stat") as batch:
        for column in (*KIND_COLUMNS, "upper_level"):
            batch.drop_column(column)
