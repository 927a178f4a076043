"""live state due_at: the scheduler reads only the editions with something due

Revision ID: c4e1d2a9f0b7
Revises: bf1cf99cc256
Create Date: 2026-12-01 10:45:00
"""
from datetime import datetime, timezone

from alembic import op
import sqlalchemy as sa


revision = 'c4e1d2a9f0b7'
down_revision = 'bf1cf99cc256'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('live_states', schema=None) as batch_op:
        batch_op.add_column(sa.Column('due_at', sa.DateTime(), nullable=True))
        batch_op.create_index(batch_op.f('ix_live_states_due_at'), ['due_at'], unique=False)
    # Rows saved before this revision: their next due transition, from the stored state (pure domain).
    from pitchday.domain import show as domain

    live = sa.table('live_states', sa.column('edition_id', sa.Integer), sa.column('state', sa.JSON),
                    sa.column('due_at', sa.DateTime))
    connection = op.get_bind()
    for edition_id, state in connection.execute(sa.select(live.c.edition_id, live.c.state)).all():
        due = domain.next_due(domain.from_dict(state))
        if due is not None:
            moment = datetime.fromtimestamp(due / 1000, timezone.utc).replace(tzinfo=None)  # stored as UTC
            connection.execute(live.update().where(live.c.edition_id == edition_id).values(due_at=moment))


def downgrade() -> None:
    with op.batch_alter_table('live_states', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_live_states_due_at'))
        batch_op.drop_column('due_at')
