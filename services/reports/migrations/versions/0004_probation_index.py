"""The overdue probations read by index: member_info (probation_until, probation_from, member_id).

The `alerts` section lists the probations still open on a day and admitted long enough before it
(``report_alerts._overdue``): one range of this index (the open ones, ``probation_until`` = 9999-12-31, by
admission date) and one short range (those decided after the day), the member ids in the index itself; then the
roll of those few members only. Before, a province's request joined its whole roll with ``member_info``.

Revision ID: 0004_probation_index
Revises: 0003_alerts
Create Date: 2026-11-22
"""
from alembic import op

revision = "0004_probation_index"
down_revision = "0003_alerts"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_member_info_probation", "member_info", ["probation_until", "probation_from", "member_id"])


def downgrade() -> None:
    op.drop_index("ix_member_info_probation", "member_info")
