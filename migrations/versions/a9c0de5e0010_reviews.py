"""reviews by several people: criteria, reviews and their scores, assignments, blind review

Revision ID: a9c0de5e0010
Revises: a9c0de5e0012
Create Date: 2026-12-01 15:45:00
"""
from alembic import op
import sqlalchemy as sa


revision = 'a9c0de5e0010'
down_revision = 'a9c0de5e0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'review_settings',
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('blind', sa.Boolean(), server_default=sa.false(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('edition_id'),
    )
    op.create_table(
        'review_criteria',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('edition_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=12), nullable=False),
        sa.Column('label', sa.String(length=120), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['edition_id'], ['editions.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('edition_id', 'key', name='uq_review_criteria_edition_key'),
    )
    op.create_index(op.f('ix_review_criteria_edition_id'), 'review_criteria', ['edition_id'], unique=False)
    op.create_table(
        'reviews',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(), nullable=False),
        sa.Column('updated_at', sa.DateTime(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'reviewer_id', name='uq_reviews_application_reviewer'),
    )
    op.create_index(op.f('ix_reviews_application_id'), 'reviews', ['application_id'], unique=False)
    op.create_index(op.f('ix_reviews_reviewer_id'), 'reviews', ['reviewer_id'], unique=False)
    op.create_table(
        'review_scores',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('review_id', sa.Integer(), nullable=False),
        sa.Column('criterion_id', sa.Integer(), nullable=False),
        sa.Column('score', sa.Integer(), nullable=False),
        sa.Column('comment', sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(['criterion_id'], ['review_criteria.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['review_id'], ['reviews.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('review_id', 'criterion_id', name='uq_review_scores_review_criterion'),
    )
    op.create_index(op.f('ix_review_scores_review_id'), 'review_scores', ['review_id'], unique=False)
    op.create_index(op.f('ix_review_scores_criterion_id'), 'review_scores', ['criterion_id'], unique=False)
    op.create_table(
        'review_assignments',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('application_id', sa.Integer(), nullable=False),
        sa.Column('reviewer_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['application_id'], ['applications.id'], ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['reviewer_id'], ['accounts.id'], ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('application_id', 'reviewer_id', name='uq_review_assignments_application_reviewer'),
    )
    op.create_index(op.f('ix_review_assignments_application_id'), 'review_assignments', ['application_id'], unique=False)
    op.create_index(op.f('ix_review_assignments_reviewer_id'), 'review_assignments', ['reviewer_id'], unique=False)


def downgrade() -> None:
    op.drop_table('review_assignments')
    op.drop_table('review_scores')
    op.drop_table('reviews')
    op.drop_table('review_criteria')
    op.drop_table('review_settings')
