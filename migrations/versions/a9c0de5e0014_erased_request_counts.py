"""erased request counts: the report keeps counting connect requests erased since

Revision ID: a9c0de5e0014
Revises: a9c0de5e0010
Create Date: 2026-12-01 15:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0014'
down_revision = 'a9c0de5e0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'erased_request_counts',
        sa.Column('talk_id', sa.Integer(), sa.ForeignKey('talks.id', ondelete='CASCADE'), primary_key=True),
        sa.Column('edition_id', sa.Integer(), sa.ForeignKey('editions.id', ondelete='CASCADE'), nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
    )
    op.create_index('ix_erased_request_counts_edition_id', 'erased_request_counts', ['edition_id'])


def downgrade() -> None:
    op.drop_index('ix_erased_request_counts_edition_id', 'erased_request_counts')
    op.drop_table('erased_request_counts')
