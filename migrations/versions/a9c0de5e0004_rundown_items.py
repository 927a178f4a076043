"""rundown items: a talk row may be another item of the evening (welcome, address, break…), with a note

Revision ID: a9c0de5e0004
Revises: c4e1d2a9f0b7
Create Date: 2026-12-01 12:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0004'
down_revision = 'a9c0de5e0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('talks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('item_kind', sa.String(length=20), server_default='talk', nullable=False))
        batch_op.add_column(sa.Column('note', sa.Text(), server_default='', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('talks', schema=None) as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('item_kind')
