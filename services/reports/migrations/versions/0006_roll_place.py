"""member_info.roll_org_id / roll_from: where each member is on the roll from some day on (the open span).

The overdue probations of a large subtree (``report_alerts._overdue``) are read from the probation index alone:
the open probations admitted long enough before the day, each with the org it is on from ``roll_from`` on. Only
the few whose open span starts after the day (or who have none) are looked up in ``member_span``. Before, every
candidate's span was read (a province: ~57 ms at national scale 0.5). The index now carries both columns, so
the read never touches the table. Existing rows are filled from their open span, as the projection writes them.

Revision ID: 0006_roll_place
Revises: 0005_tree_version
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0006_roll_place"
down_revision = "0005_tree_version"
branch_labels = None
depends_on = None

_OPEN_SPAN = "FROM member_span s WHERE s.member_id = member_info.member_id AND s.valid_to IS NULL"


def upgrade() -> None:
    op.add_column("member_info", sa.Column("roll_org_id", sa.String(36), nullable=True))
    op.add_column("member_info", sa.Column("roll_from", sa.Date, nullable=True))
    op.execute(f"UPDATE member_info SET roll_org_id = (SELECT s.org_id {_OPEN_SPAN}), "
               f"roll_from = (SELECT s.valid_from {_OPEN_SPAN})")
    op.drop_index("ix_member_info_probation", "member_info")
    op.create_index("ix_member_info_probation", "member_info",
                    ["probation_until", "probation_from", "member_id", "roll_org_id", "roll_from"])


def downgrade() -> None:
    op.drop_index("ix_member_info_probation", "member_info")
    op.create_index("ix_member_info_probation", "member_info", ["probation_until", "probation_from", "member_id"])
    with op.batch_alter_table("member_info") as batch:
        batch.drop_column("roll_from")
        batch.drop_column("roll_org_id")
