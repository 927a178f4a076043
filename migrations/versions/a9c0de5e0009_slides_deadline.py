"""slides deadline: until when speakers upload their slides from their speaker space

Revision ID: a9c0de5e0009
Revises: a9c0de5e0004, a9c0de5e0005 (the two heads the merge branch had: joined here)
Create Date: 2026-12-01 13:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0009'
down_revision = 'a9c0de5e0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('editions') as batch:
        batch.add_column(sa.Column('slides_deadline_at', sa.DateTime(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('editions') as batch:
        batch.drop_column('slides_deadline_at')
