"""outbox and speaker space: message templates, outbox messages, speaker answers, applicant language

Revision ID: a9c0de5e0003
Revises: c4e1d2a9f0b7
Create Date: 2026-12-01 12:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0003'
down_revision = 'a9c0de5e0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=5), server_default='fr', nullable=False))
    op.create_table(
        'message_templates',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('edition_id', 'kind', 'language', name='uq_message_templates_kind'),
    )
    op.create_index(op.f('ix_message_templates_edition_id'), 'message_templates', ['edition_id'], unique=False)
    op.create_table(
        'outbox_messages',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('language', sa.String(length=5), nullable=False),
        sa.Column('to_name', sa.String(length=200), nullable=False),
        sa.Column('to_email', sa.String(length=254), nullable=False),
        sa.Column('subject', sa.String(length=200), nullable=False),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('state', sa.String(length=12), nullable=False),
        sa.Column('reason', sa.Text(), nullable=True),
        sa.Column('idempotency_key', sa.String(length=64), nullable=False),
        sa.Column('attempts', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.Column('sending_at', sa.DateTime(), nullable=True),
        sa.Column('sent_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('idempotency_key'),
    )
    op.create_index(op.f('ix_outbox_messages_edition_id'), 'outbox_messages', ['edition_id'], unique=False)
    op.create_index(op.f('ix_outbox_messages_application_id'), 'outbox_messages', ['application_id'], unique=False)
    op.create_index(op.f('ix_outbox_messages_state'), 'outbox_messages', ['state'], unique=False)
    op.create_table(
        'speaker_answers',
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('answer', sa.String(length=12), nullable=True),
        sa.Column('answered_at', sa.DateTime(), nullable=True),
        sa.Column('equipment', sa.String(length=20), nullable=True),
        sa.Column('microphone', sa.String(length=5), nullable=True),
        sa.Column('accessibility', sa.Text(), nullable=True),
        sa.Column('needs_at', sa.DateTime(), nullable=True),
        sa.Column('details_at', sa.DateTime(), nullable=True),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('application_id'),
    )


def downgrade() -> None:
    op.drop_table('speaker_answers')
    op.drop_index(op.f('ix_outbox_messages_state'), table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_application_id'), table_name='outbox_messages')
    op.drop_index(op.f('ix_outbox_messages_edition_id'), table_name='outbox_messages')
    op.drop_table('outbox_messages')
    op.drop_index(op.f('ix_message_templates_edition_id'), table_name='message_templates')
    op.drop_table('message_templates')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_column('language')
