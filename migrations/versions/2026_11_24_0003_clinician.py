"""Clinician reviews, insurance verification and admin settings.

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 13:03:53.608549

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('setting',
    sa.Column('key', sa.String(length=100), nullable=False),
    sa.Column('value', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_user.id'], name=op.f('fk_setting_updated_by_id_staff_user')),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_setting'))
    )
    op.create_table('clinician_review',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('clinician_id', sa.Integer(), nullable=True),
    sa.Column('decision', sa.String(length=16), nullable=False),
    sa.Column('pathway_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('suggested_codes', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.Column('ruleset_sha256', sa.String(length=64), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("decision IN ('agree', 'different')", name=op.f('ck_clinician_review_decision')),
    sa.ForeignKeyConstraint(['clinician_id'], ['staff_user.id'], name=op.f('fk_clinician_review_clinician_id_staff_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_clinician_review_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_clinician_review'))
    )
    with op.batch_alter_table('clinician_review', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_clinician_review_clinician_id'), ['clinician_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_clinician_review_submission_id'), ['submission_id'], unique=False)

    op.create_table('insurance_verification',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('eligibility_confirmed', sa.Boolean(), nullable=False),
    sa.Column('prior_auth', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint("prior_auth IN ('unknown', 'not_needed', 'needed', 'submitted', 'approved', 'denied')", name=op.f('ck_insurance_verification_prior_auth')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_insurance_verification_submission_id_submission'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['staff_user.id'], name=op.f('fk_insurance_verification_updated_by_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_verification')),
    sa.UniqueConstraint('submission_id', name=op.f('uq_insurance_verification_submission_id'))
    )


def downgrade():
    op.drop_table('insurance_verification')
    with op.batch_alter_table('clinician_review', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_clinician_review_submission_id'))
        batch_op.drop_index(batch_op.f('ix_clinician_review_clinician_id'))

    op.drop_table('clinician_review')
    op.drop_table('setting')
