"""Export jobs: a background export of a whole subtree, its progress and, when done, its file.

Revision ID: 0002_exports
Revises: 0001
Create Date: 2026-11-22
"""
from alembic import op
import sqlalchemy as sa

revision = "0002_exports"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "export_job",
        sa.Column("id", sa.String(36), primary_key=True),
        sa.Column("creator", sa.String(100), nullable=False),
        sa.Column("creator_org_id", sa.String(36), nullable=False),
        sa.Column("org_id", sa.String(36), nullable=False, index=True),
        sa.Column("period", sa.String(7), nullable=False),
        sa.Column("format", sa.String(8), nullable=False),
        sa.Column("status", sa.String(12), nullable=False),
        sa.Column("rows_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("rows_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tables_done", sa.Integer, nullable=False, server_default="0"),
        sa.Column("tables_total", sa.Integer, nullable=False, server_default="0"),
        sa.Column("percent", sa.Integer, nullable=False, server_default="0"),
        sa.Column("error", sa.Text, nullable=True),
        sa.Column("filename", sa.String(200), nullable=True),
        sa.Column("content", sa.LargeBinary, nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
    )


def downgrade() -> None:
    op.drop_table("export_job")
