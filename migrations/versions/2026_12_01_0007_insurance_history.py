"""Insurance checklist: a prior-authorization reference, and a history of replaced versions.

Every save copies the values it replaces into insurance_verification_history, so a save made
over someone else's (after a conflict) can always be undone by hand.

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-01 09:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('insurance_verification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('prior_auth_reference', sa.String(length=64), server_default='', nullable=False))

    op.create_table('insurance_verification_history',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('eligibility_confirmed', sa.Boolean(), nullable=False),
    sa.Column('prior_auth', sa.String(length=16), nullable=False),
    sa.Column('prior_auth_reference', sa.String(length=64), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('saved_by_id', sa.Integer(), nullable=True),
    sa.Column('saved_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('replaced_by_id', sa.Integer(), nullable=True),
    sa.Column('replaced_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("prior_auth IN ('unknown', 'not_needed', 'needed', 'submitted', 'approved', 'denied')", name=op.f('ck_insurance_verification_history_prior_auth')),
    sa.ForeignKeyConstraint(['replaced_by_id'], ['staff_user.id'], name=op.f('fk_insurance_verification_history_replaced_by_id_staff_user')),
    sa.ForeignKeyConstraint(['saved_by_id'], ['staff_user.id'], name=op.f('fk_insurance_verification_history_saved_by_id_staff_user')),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_insurance_verification_history_submission_id_submission'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_insurance_verification_history')),
    sa.UniqueConstraint('submission_id', 'version', name=op.f('uq_insurance_verification_history_submission_id'))
    )


def downgrade():
    op.drop_table('insurance_verification_history')
    with op.batch_alter_table('insurance_verification', schema=None) as batch_op:
        batch_op.drop_column('prior_auth_reference')
