"""The risk workflow: contact attempts by the front desk, risk assessments by a clinician.

- ``contact_attempt``: who tried to reach the patient of an urgent submission, when, what came
  of it (reached, left a voicemail, no answer, wrong number) and a note. The first one sets
  ``submission.acknowledged_at``, as the acknowledgement used to; the ``acknowledgement`` table
  stays, read-only, as the record of the earlier acknowledgements.
- ``risk_assessment``: a clinician's brief safety assessment (who, when assessed, when recorded,
  outcome, note). It sets ``submission.risk_signed_off_at``.
- ``submission.risk_signed_off_at`` and the partial index ``ix_submission_unsigned`` of the urgent
  rows not yet signed off (acute first, then oldest first): the clinician's urgent list and its
  count read only those rows (PostgreSQL gets extended statistics on ``(urgent,
  risk_signed_off_at)`` so it knows how few they are). Nothing is backfilled: no clinician has signed off an earlier
  urgent submission, so every one of them is on the list after the upgrade (docs/staff.md).

(Numbered 0013 while other migrations are in review; the merge orders the chain.)

Revision ID: 0013_risk_workflow
Revises: 0012_alerts
Create Date: 2026-12-02 12:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0013_risk_workflow'
down_revision = '0012_alerts'
branch_labels = None
depends_on = None

UNSIGNED = {
    'postgresql': 'urgent AND risk_signed_off_at IS NULL',
    # SQLite uses a partial index only when the query's terms match the index's own; SQLAlchemy
    # writes a boolean column as ``urgent = 1`` there.
    'sqlite': 'urgent = 1 AND risk_signed_off_at IS NULL',
}
#: Extended statistics (PostgreSQL): how often urgent and not signed off go together, so the
#: planner counts the clinicians' list on its partial index (as 0011 did for the pins).
UNSIGNED_STATISTICS = 'st_submission_urgent_signed_off'
CONTACT_OUTCOMES = "outcome IN ('reached', 'left_voicemail', 'no_answer', 'wrong_number')"
RISK_OUTCOMES = "outcome IN ('no_current_risk', 'safety_plan', 'emergency_referral', 'other')"


def upgrade():
    op.create_table(
        'contact_attempt',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('by_id', sa.Integer(), nullable=False),
        sa.Column('at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.CheckConstraint(CONTACT_OUTCOMES, name=op.f('ck_contact_attempt_outcome')),
        sa.ForeignKeyConstraint(['by_id'], ['staff_user.id'], name=op.f('fk_contact_attempt_by_id_staff_user')),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_contact_attempt_submission_id_submission'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_contact_attempt')),
    )
    op.create_index(op.f('ix_contact_attempt_submission_id'), 'contact_attempt', ['submission_id'], unique=False)
    op.create_table(
        'risk_assessment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('clinician_id', sa.Integer(), nullable=False),
        sa.Column('assessed_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('outcome', sa.String(length=20), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.CheckConstraint(RISK_OUTCOMES, name=op.f('ck_risk_assessment_outcome')),
        sa.ForeignKeyConstraint(['clinician_id'], ['staff_user.id'], name=op.f('fk_risk_assessment_clinician_id_staff_user')),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_risk_assessment_submission_id_submission'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_risk_assessment')),
    )
    op.create_index(op.f('ix_risk_assessment_submission_id'), 'risk_assessment', ['submission_id'], unique=False)
    # A nullable column without a default: a plain ALTER TABLE on both (no table rebuild).
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('risk_signed_off_at', sa.DateTime(timezone=True), nullable=True))
    op.create_index(
        'ix_submission_unsigned', 'submission', [sa.text('acute DESC'), 'submitted_at', 'id'], unique=False,
        postgresql_where=sa.text(UNSIGNED['postgresql']), sqlite_where=sa.text(UNSIGNED['sqlite']),
    )
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'CREATE STATISTICS {UNSIGNED_STATISTICS} (mcv) ON urgent, risk_signed_off_at FROM submission')


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(f'DROP STATISTICS IF EXISTS {UNSIGNED_STATISTICS}')
    op.drop_index('ix_submission_unsigned', table_name='submission')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_column('risk_signed_off_at')
    op.drop_index(op.f('ix_risk_assessment_submission_id'), table_name='risk_assessment')
    op.drop_table('risk_assessment')
    op.drop_index(op.f('ix_contact_attempt_submission_id'), table_name='contact_attempt')
    op.drop_table('contact_attempt')
