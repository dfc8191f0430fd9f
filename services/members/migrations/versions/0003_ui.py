"""ui: merge of the lifecycle and finance heads; the accent-insensitive search key, the member's cell, search
indexes, HR import jobs

Revision ID: 0003_ui
Revises: 0002_lifecycle, 0002_finance
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from members.searchkey import search_key

revision = '0003_ui'
down_revision = ('0002_lifecycle', '0002_finance')
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_name', sa.String(200), nullable=True))
        batch_op.add_column(sa.Column('cell_id', sa.Uuid(), nullable=True))
    conn = op.get_bind()
    member = sa.table('member', sa.column('id', sa.Uuid()), sa.column('full_name', sa.String()),
                      sa.column('search_name', sa.String()), sa.column('cell_id', sa.Uuid()))
    placement = sa.table('member_placement', sa.column('id', sa.Integer()), sa.column('member_id', sa.Uuid()),
                         sa.column('organization_id', sa.Uuid()), sa.column('valid_from', sa.Date()))
    latest = {}
    for member_id, org_id in conn.execute(sa.select(placement.c.member_id, placement.c.organization_id)
                                          .order_by(placement.c.valid_from, placement.c.id)):
        latest[member_id] = org_id  # the newest placement wins
    rows = conn.execute(sa.select(member.c.id, member.c.full_name)).all()
    if rows:
        conn.execute(member.update().where(member.c.id == sa.bindparam('member_id'))
                     .values(search_name=sa.bindparam('key'), cell_id=sa.bindparam('cell')),
                     [{'member_id': i, 'key': search_key(name), 'cell': latest.get(i)} for i, name in rows])
    op.create_index('ix_member_search_name', 'member', ['search_name', 'id'])
    op.create_index('ix_member_status_dob', 'member', ['status', 'date_of_birth'])
    op.create_index('ix_member_cell', 'member', ['cell_id', 'search_name'])
    op.create_index('ix_member_placement_open', 'member_placement', ['valid_to', 'member_id', 'organization_id'])
    op.create_table('hr_import_job',
    sa.Column('id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(10), nullable=False),
    sa.Column('status', sa.String(10), nullable=False),
    sa.Column('phase', sa.String(20), nullable=False),
    sa.Column('done_rows', sa.Integer(), nullable=False),
    sa.Column('total_rows', sa.Integer(), nullable=True),
    sa.Column('filename', sa.String(300), nullable=False),
    sa.Column('import_id', sa.Uuid(), nullable=True),
    sa.Column('error_vi', sa.String(500), nullable=True),
    sa.Column('error_en', sa.String(500), nullable=True),
    sa.Column('created_by', sa.String(100), nullable=False),
    sa.Column('scope_org_id', sa.Uuid(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id'))


def downgrade() -> None:
    op.drop_table('hr_import_job')
    op.drop_index('ix_member_placement_open', table_name='member_placement')
    op.drop_index('ix_member_cell', table_name='member')
    op.drop_index('ix_member_status_dob', table_name='member')
    op.drop_index('ix_member_search_name', table_name='member')
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_column('cell_id')
        batch_op.drop_column('search_name')
