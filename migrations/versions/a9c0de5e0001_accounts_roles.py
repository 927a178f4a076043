"""accounts and roles: named accounts, role grants, invitation and reset tokens, link holders

Revision ID: a9c0de5e0001
Revises: c4e1d2a9f0b7
Create Date: 2026-12-01 12:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0001'
down_revision = 'c4e1d2a9f0b7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'accounts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('email', sa.String(length=254), nullable=False),
        sa.Column('display_name', sa.String(length=100), nullable=False),
        sa.Column('password_hash', sa.String(length=255), nullable=True),
        sa.Column('disabled_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('session_generation', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('email'),
    )
    op.create_table(
        'role_grants',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('role', sa.String(length=20), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('account_id', 'role', 'edition_id', name='uq_role_grants_account_role_edition'),
    )
    op.create_index('ix_role_grants_account_id', 'role_grants', ['account_id'], unique=False)
    op.create_index('uq_role_grants_global', 'role_grants', ['account_id', 'role'], unique=True,
                    sqlite_where=sa.text('edition_id IS NULL'), postgresql_where=sa.text('edition_id IS NULL'))
    op.create_table(
        'account_tokens',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('account_id', sa.Integer(), nullable=False),
        sa.Column('token_id', sa.String(length=64), nullable=False),
        sa.Column('purpose', sa.String(length=20), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_id'),
    )
    op.create_index('ix_account_tokens_account_id', 'account_tokens', ['account_id'], unique=False)
    with op.batch_alter_table('moderator_links', schema=None) as batch_op:
        batch_op.add_column(sa.Column('holder_name', sa.String(length=100), nullable=False, server_default=''))
        batch_op.add_column(sa.Column('account_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key('fk_moderator_links_account_id', 'accounts', ['account_id'], ['id'],
                                    ondelete='SET NULL')


def downgrade() -> None:
    with op.batch_alter_table('moderator_links', schema=None) as batch_op:
        batch_op.drop_constraint('fk_moderator_links_account_id', type_='foreignkey')
        batch_op.drop_column('account_id')
        batch_op.drop_column('holder_name')
    op.drop_index('ix_account_tokens_account_id', table_name='account_tokens')
    op.drop_table('account_tokens')
    op.drop_index('uq_role_grants_global', table_name='role_grants')
    op.drop_index('ix_role_grants_account_id', table_name='role_grants')
    op.drop_table('role_grants')
    op.drop_table('accounts')
