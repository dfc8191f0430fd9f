"""search: the name-token index (the words of each member's name key, and their vocabulary) and the covering
index of the filters without text (issue 3 item 8)

Revision ID: 0004_search
Revises: 0003_ui
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0004_search'
down_revision = '0003_ui'
branch_labels = None
depends_on = None

BATCH = 5000


def upgrade() -> None:
    op.create_table('name_word',
    sa.Column('word', sa.String(200), nullable=False),
    sa.PrimaryKeyConstraint('word'))
    op.create_table('member_name_token',
    sa.Column('token', sa.String(200), nullable=False),
    sa.Column('search_name', sa.String(200), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.PrimaryKeyConstraint('token', 'search_name', 'member_id'),
    sqlite_with_rowid=False)
    op.create_index('ix_member_name_token_member', 'member_name_token', ['member_id'])
    op.drop_index('ix_member_status_dob', table_name='member')  # a prefix of the next one
    op.create_index('ix_member_filter', 'member', ['status', 'date_of_birth', 'cell_id', 'search_name', 'id'])
    conn = op.get_bind()
    member = sa.table('member', sa.column('id', sa.Uuid()), sa.column('search_name', sa.String()))
    word = sa.table('name_word', sa.column('word', sa.String()))
    token = sa.table('member_name_token', sa.column('token', sa.String()), sa.column('search_name', sa.String()),
                     sa.column('member_id', sa.Uuid()))
    words, rows = set(), []
    for member_id, key in conn.execute(sa.select(member.c.id, member.c.search_name)):
        for w in set((key or '').split()):  # as members.models.name_token_rows
            words.add(w)
            rows.append({'token': w, 'search_name': key, 'member_id': member_id})
    for i in range(0, len(rows), BATCH):
        conn.execute(token.insert(), rows[i:i + BATCH])
    ordered = sorted(words)
    for i in range(0, len(ordered), BATCH):
        conn.execute(word.insert(), [{'word': w} for w in ordered[i:i + BATCH]])


def downgrade() -> None:
    op.drop_index('ix_member_filter', table_name='member')
    op.create_index('ix_member_status_dob', 'member', ['status', 'date_of_birth'])
    op.drop_index('ix_member_name_token_member', table_name='member_name_token')
    op.drop_table('member_name_token')
    op.drop_table('name_word')
