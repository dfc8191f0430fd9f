"""projection_lock.tree_version: a random token each batch that changes a parent link writes (tree.record_tree).

The figures keep a subtree's parent histories and its date-range pieces in memory (``tree.pieces``) while the
token stays the same: a province's ~4,700 organizations cost ~30 ms to read and walk at national scale, on every
request. One row read tells whether the tree changed since. Random, not a count: a database recreated or restored
at the same address cannot present an old number with another tree. Empty ('') until the first tree change: never
cached. Also the merge of the four 0004 heads.

Revision ID: 0005_tree_version
Revises: 0004_counters, 0004_probation_index, 0004_roll, 0004_shared_holidays
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0005_tree_version"
down_revision = ("0004_counters", "0004_probation_index", "0004_roll", "0004_shared_holidays")
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column("projection_lock", sa.Column("tree_version", sa.String(32), nullable=False, server_default=""))


def downgrade() -> None:
    with op.batch_alter_table("projection_lock") as batch:
        batch.drop_column("tree_version")
