"""lifecycle: organization versions, member profile and lifecycle columns, gaps, transfers, badges, exemptions

Revision ID: 0002_lifecycle
Revises: 0001
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0002_lifecycle'
down_revision = '0001'
branch_labels = None
depends_on = None

MEMBER_COLUMNS = (
    ('birth_name', sa.String(200)), ('aliases', sa.String(200)), ('place_of_birth', sa.String(300)),
    ('hometown', sa.String(300)), ('ethnicity', sa.String(50)), ('religion', sa.String(50)),
    ('permanent_residence', sa.String(300)), ('temporary_residence', sa.String(300)),
    ('education_level', sa.String(50)), ('professional_level', sa.String(100)),
    ('political_theory_level', sa.String(50)), ('occupation', sa.String(100)), ('position', sa.String(200)),
    ('employer_unit', sa.String(300)), ('party_card_number', sa.String(20)), ('party_card_issued_on', sa.Date()),
    ('admission_decision_date', sa.Date()), ('admission_ceremony_date', sa.Date()), ('official_date', sa.Date()),
    ('party_age_start', sa.Date()), ('ended_on', sa.Date()), ('end_reason', sa.String(40)),
    ('end_cause', sa.String(40)), ('exempt_since', sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.add_column(sa.Column('merged_into_id', sa.Uuid(), nullable=True))
    with op.batch_alter_table('member', schema=None) as batch_op:
        for name, type_ in MEMBER_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
        batch_op.add_column(sa.Column('readmissions', sa.Integer(), nullable=False, server_default='0'))
        batch_op.create_index('ux_member_party_card_number', ['party_card_number'], unique=True)

    op.create_table('organization_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('org_id', sa.Uuid(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('name', sa.String(length=300), nullable=False),
    sa.Column('kind', sa.String(length=40), nullable=False),
    sa.Column('sector', sa.String(length=40), nullable=False),
    sa.Column('cluster', sa.String(length=100), nullable=True),
    sa.ForeignKeyConstraint(['org_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_organization_version_org', 'organization_version', ['org_id', 'valid_from'])
    op.create_table('member_gap',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('gap_from', sa.Date(), nullable=False),
    sa.Column('gap_to', sa.Date(), nullable=True),
    sa.Column('cause', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_member_gap_member', 'member_gap', ['member_id'])
    op.create_table('member_transfer',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('from_organization_id', sa.Uuid(), nullable=False),
    sa.Column('to_organization_id', sa.Uuid(), nullable=True),
    sa.Column('destination', sa.String(length=300), nullable=True),
    sa.Column('moved_on', sa.Date(), nullable=True),
    sa.Column('letter_issued_on', sa.Date(), nullable=True),
    sa.Column('received_on', sa.Date(), nullable=True),
    sa.Column('valid_from', sa.Date(), nullable=True),
    sa.Column('until', sa.Date(), nullable=True),
    sa.Column('ended_on', sa.Date(), nullable=True),
    sa.Column('study', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.ForeignKeyConstraint(['from_organization_id'], ['organization.id'], ),
    sa.ForeignKeyConstraint(['to_organization_id'], ['organization.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_member_transfer_member', 'member_transfer', ['member_id'])
    op.create_index('ix_member_transfer_state', 'member_transfer', ['state'])
    op.create_table('member_badge',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('years', sa.Integer(), nullable=False),
    sa.Column('awarded_on', sa.Date(), nullable=False),
    sa.Column('early', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ux_member_badge', 'member_badge', ['member_id', 'years'], unique=True)
    op.create_table('member_exemption',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('member_id', sa.Uuid(), nullable=False),
    sa.Column('valid_from', sa.Date(), nullable=False),
    sa.Column('valid_to', sa.Date(), nullable=True),
    sa.Column('reason', sa.String(length=300), nullable=True),
    sa.ForeignKeyConstraint(['member_id'], ['member.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    op.create_index('ix_member_exemption_member', 'member_exemption', ['member_id'])


def downgrade() -> None:
    for table in ('member_exemption', 'member_badge', 'member_transfer', 'member_gap', 'organization_version'):
        op.drop_table(table)
    with op.batch_alter_table('member', schema=None) as batch_op:
        batch_op.drop_index('ux_member_party_card_number')
        batch_op.drop_column('readmissions')
        for name, _ in reversed(MEMBER_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('organization', schema=None) as batch_op:
        batch_op.drop_column('merged_into_id')
