"""speaker digest: an outbox message may be about a talk (the speaker's digest after the evening)

Revision ID: a9c0de5e0012
Revises: a9c0de5e0011
Create Date: 2026-12-01 15:50:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0012'
down_revision = 'a9c0de5e0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('outbox_messages') as batch:
        batch.alter_column('application_id', existing_type=sa.Integer(), nullable=True)
        batch.add_column(sa.Column('talk_id', sa.Integer(), nullable=True))
        batch.create_foreign_key('fk_outbox_messages_talk_id', 'talks', ['talk_id'], ['id'], ondelete='CASCADE')
        batch.create_index(batch.f('ix_outbox_messages_talk_id'), ['talk_id'], unique=False)


def downgrade() -> None:
    # A digest of a talk without an application cannot be kept by the older schema.
    op.execute("DELETE FROM outbox_messages WHERE application_id IS NULL")
    with op.batch_alter_table('outbox_messages') as batch:
        batch.drop_index(batch.f('ix_outbox_messages_talk_id'))
        batch.drop_constraint('fk_outbox_messages_talk_id', type_='foreignkey')
        batch.drop_column('talk_id')
        batch.alter_column('application_id', existing_type=sa.Integer(), nullable=False)
