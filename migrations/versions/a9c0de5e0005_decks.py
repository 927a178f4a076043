"""decks: a talk's PDF slides rendered to images once at upload, and how the projector shows the talk

Revision ID: a9c0de5e0005
Revises: c4e1d2a9f0b7
Create Date: 2026-12-01 12:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0005'
down_revision = 'a9c0de5e0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'decks',
        sa.Column('talk_id', sa.Integer(), nullable=False),
        sa.Column('digest', sa.String(length=64), nullable=True),
        sa.Column('page_count', sa.Integer(), server_default='0', nullable=False),
        sa.Column('width', sa.Integer(), server_default='0', nullable=False),
        sa.Column('height', sa.Integer(), server_default='0', nullable=False),
        sa.Column('size_bytes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('display', sa.String(length=12), server_default='slides', nullable=False),
        sa.Column('uploaded_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['talk_id'], ['talks.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('talk_id'),
    )


def downgrade() -> None:
    op.drop_table('decks')
