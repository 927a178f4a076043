"""one-time password: an account whose password was printed (make demo, pitchday user add) changes it first

Revision ID: a9c0de5e0015
Revises: a9c0de5e0014
Create Date: 2026-12-01 16:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0015'
down_revision = 'a9c0de5e0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.add_column(sa.Column('password_must_change', sa.Boolean(), nullable=False, server_default=sa.false()))


def downgrade() -> None:
    with op.batch_alter_table('accounts') as batch:
        batch.drop_column('password_must_change')
