"""application client id

Revision ID: bf1cf99cc256
Revises: 6b3712408d4f
Create Date: 2026-11-24 01:32:53.149421
"""
from alembic import op
import sqlalchemy as sa


revision = 'bf1cf99cc256'
down_revision = '6b3712408d4f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_id', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_applications_edition_client', ['edition_id', 'client_id'])



def downgrade() -> None:
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_constraint('uq_applications_edition_client', type_='unique')
        batch_op.drop_column('client_id')

