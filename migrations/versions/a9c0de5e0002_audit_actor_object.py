"""audit log: the actor (account id) and the object (kind and id) of each entry

Revision ID: a9c0de5e0002
Revises: a9c0de5e0001
Create Date: 2026-12-01 13:00:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0002'
down_revision = 'a9c0de5e0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        # No foreign key: an entry keeps naming an account removed since. Entries written before this
        # revision have no actor (the shared password named nobody) and no object.
        batch_op.add_column(sa.Column('actor_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('object_type', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('object_id', sa.BigInteger(), nullable=True))
        batch_op.create_index(batch_op.f('ix_audit_log_actor_id'), ['actor_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_edition_id'), ['edition_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_edition_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_actor_id'))
        batch_op.drop_column('object_id')
        batch_op.drop_column('object_type')
        batch_op.drop_column('actor_id')
