"""member_info.roll_until: the member's roll place is now their last span, closed or open (member_facts.roll_place).

Before, a member with no open span (transferred out of the province, or whose membership ended with a
probation still open) had no place, and every such open probation in the country was looked up in
``member_span`` for each large subtree's overdue alert (~2,200 members at national scale, ~10 ms a province's
request). Now only a day before the last span's first day needs the spans. Rows without an open span are
filled from their last span here, as the projection writes them; the probation index carries the new column.

Revision ID: 0011_roll_until
Revises: 0010_unpaid_index
Create Date: 2026-11-22
"""
import sqlalchemy as sa
from alembic import op

revision = "0011_roll_until"
down_revision = "0010_unpaid_index"
branch_labels = None
depends_on = None

_LAST_SPAN = ("FROM member_span s WHERE s.member_id = member_info.member_id "
              "ORDER BY s.valid_from DESC LIMIT 1")
_COLUMNS = ["probation_until", "probation_from", "member_id", "roll_org_id", "roll_from"]


def upgrade() -> None:
    op.add_column("member_info", sa.Column("roll_until", sa.Date, nullable=True))
    op.execute(f"UPDATE member_info SET roll_org_id = (SELECT s.org_id {_LAST_SPAN}), "
               f"roll_from = (SELECT s.valid_from {_LAST_SPAN}), roll_until = (SELECT s.valid_to {_LAST_SPAN}) "
               "WHERE roll_org_id IS NULL")
    op.drop_index("ix_member_info_probation", "member_info")
    op.create_index("ix_member_info_probation", "member_info", [*_COLUMNS, "roll_until"])


def downgrade() -> None:
    op.drop_index("ix_member_info_probation", "member_info")
    op.create_index("ix_member_info_probation", "member_info", _COLUMNS)
    op.execute("UPDATE member_info SET roll_org_id = NULL, roll_from = NULL WHERE roll_until IS NOT NULL")
    with op.batch_alter_table("member_info") as batch:
        batch.drop_column("roll_until")
