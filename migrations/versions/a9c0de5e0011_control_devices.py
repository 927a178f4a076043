"""control devices: per-device bearer tokens of the hardware control API (Stream Deck through Companion)

Revision ID: a9c0de5e0011
Revises: a9c0de5e0009
Create Date: 2026-12-01 15:30:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0011'
down_revision = 'a9c0de5e0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'control_devices',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=60), nullable=False),
        sa.Column('token_digest', sa.String(length=64), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('last_used_at', sa.DateTime(), nullable=True),
        sa.Column('revoked_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['created_by_id'], ['accounts.id'], ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_digest'),
    )
    op.create_index(op.f('ix_control_devices_edition_id'), 'control_devices', ['edition_id'], unique=False)


def downgrade() -> None:
    op.drop_index(op.f('ix_control_devices_edition_id'), table_name='control_devices')
    op.drop_table('control_devices')
