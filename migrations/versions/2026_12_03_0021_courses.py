"""Courses of care, their sessions and the patient's check-ins (issue 16).

- ``course``: a patient's course (kind, start day, planned sessions and taper, check-in
  interval, maintenance months, how it ended), started from a reviewed submission;
- ``course_session``: each session delivered (number unique per course);
- ``checkin``: one repeat questionnaire (baseline, interval, end, maintenance): due day, the
  answers once completed, the outcome rules' flags and stamp, urgency, acknowledgement and
  sign-off; a partial index holds the urgent check-ins nobody has acknowledged;
- ``checkin_token``: the SHA-256 of each link sent for a check-in, with its expiry.

New tables only: nothing stored changes.

Revision ID: 0021_courses
Revises: 0020_patients
Create Date: 2026-12-03 10:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0021_courses'
down_revision = '0020_patients'
branch_labels = None
depends_on = None

JSON = sa.JSON().with_variant(postgresql.JSONB(), 'postgresql')
COURSE_KINDS = ('standard_tms', 'accelerated_tms', 'deep_tms_ocd', 'psychotherapy', 'medication_management')
COURSE_STATUSES = ('active', 'completed', 'stopped_early', 'transferred')
CHECKIN_KINDS = ('baseline', 'interval', 'end', 'maintenance')
URGENT_OPEN = {
    'postgresql': 'urgent AND acknowledged_at IS NULL',
    'sqlite': 'urgent = 1 AND acknowledged_at IS NULL',
}


def _one_of(column, values):
    return f"{column} IN ({', '.join(repr(v) for v in values)})"


def upgrade():
    op.create_table(
        'course',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('patient_id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=30), nullable=False),
        sa.Column('start_date', sa.Date(), nullable=False),
        sa.Column('planned_sessions', sa.Integer(), nullable=False),
        sa.Column('taper_sessions', sa.Integer(), nullable=False),
        sa.Column('checkin_every_days', sa.Integer(), nullable=False),
        sa.Column('maintenance_months', sa.Integer(), nullable=False),
        sa.Column('status', sa.String(length=20), nullable=False),
        sa.Column('ended_on', sa.Date(), nullable=True),
        sa.Column('end_reason', sa.Text(), nullable=False),
        sa.Column('started_by_id', sa.Integer(), nullable=False),
        sa.Column('ended_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of('kind', COURSE_KINDS), name=op.f('ck_course_kind')),
        sa.CheckConstraint(_one_of('status', COURSE_STATUSES), name=op.f('ck_course_status')),
        sa.CheckConstraint('checkin_every_days BETWEEN 1 AND 90', name=op.f('ck_course_checkin_every_days')),
        sa.CheckConstraint('maintenance_months BETWEEN 0 AND 12', name=op.f('ck_course_maintenance_months')),
        sa.ForeignKeyConstraint(['patient_id'], ['patient.id'], name=op.f('fk_course_patient_id_patient')),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_course_submission_id_submission'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['started_by_id'], ['staff_user.id'], name=op.f('fk_course_started_by_id_staff_user')),
        sa.ForeignKeyConstraint(['ended_by_id'], ['staff_user.id'], name=op.f('fk_course_ended_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course')),
    )
    op.create_index(op.f('ix_course_patient_id'), 'course', ['patient_id'])
    op.create_index(op.f('ix_course_submission_id'), 'course', ['submission_id'])
    op.create_index('ix_course_status_start', 'course', ['status', 'start_date'])

    op.create_table(
        'course_session',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('number', sa.Integer(), nullable=False),
        sa.Column('delivered_on', sa.Date(), nullable=False),
        sa.Column('note', sa.Text(), nullable=False),
        sa.Column('recorded_by_id', sa.Integer(), nullable=False),
        sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_course_session_course_id_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['recorded_by_id'], ['staff_user.id'], name=op.f('fk_course_session_recorded_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_course_session')),
        sa.UniqueConstraint('course_id', 'number', name=op.f('uq_course_session_course_id')),
    )

    op.create_table(
        'checkin',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('course_id', sa.Integer(), nullable=False),
        sa.Column('kind', sa.String(length=20), nullable=False),
        sa.Column('due_on', sa.Date(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('tablet_code_hash', sa.String(length=64), nullable=True),
        sa.Column('tablet_code_expires_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('invited_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('session', sa.Integer(), nullable=True),
        sa.Column('opened_by', sa.String(length=10), nullable=True),
        sa.Column('answers', JSON, nullable=True),
        sa.Column('phq9_total', sa.Integer(), nullable=True),
        sa.Column('gad7_total', sa.Integer(), nullable=True),
        sa.Column('status', sa.String(length=20), nullable=True),
        sa.Column('flags', JSON, nullable=True),
        sa.Column('urgent', sa.Boolean(), nullable=False),
        sa.Column('acute', sa.Boolean(), nullable=False),
        sa.Column('outcome_version', sa.String(length=40), nullable=True),
        sa.Column('outcome_sha256', sa.String(length=64), nullable=True),
        sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('acknowledged_by_id', sa.Integer(), nullable=True),
        sa.Column('acknowledge_note', sa.Text(), nullable=False),
        sa.Column('signed_off_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('signed_off_by_id', sa.Integer(), nullable=True),
        sa.Column('sign_off_outcome', sa.String(length=20), nullable=True),
        sa.Column('sign_off_note', sa.Text(), nullable=False),
        sa.Column('version', sa.Integer(), nullable=False),
        sa.CheckConstraint(_one_of('kind', CHECKIN_KINDS), name=op.f('ck_checkin_kind')),
        sa.ForeignKeyConstraint(['course_id'], ['course.id'], name=op.f('fk_checkin_course_id_course'), ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['acknowledged_by_id'], ['staff_user.id'], name=op.f('fk_checkin_acknowledged_by_id_staff_user')),
        sa.ForeignKeyConstraint(['signed_off_by_id'], ['staff_user.id'], name=op.f('fk_checkin_signed_off_by_id_staff_user')),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin')),
        sa.UniqueConstraint('course_id', 'kind', 'due_on', name=op.f('uq_checkin_course_id')),
    )
    op.create_index('ix_checkin_course_due', 'checkin', ['course_id', 'due_on', 'id'])
    op.create_index(
        'ix_checkin_urgent_open', 'checkin', ['completed_at'],
        postgresql_where=sa.text(URGENT_OPEN['postgresql']), sqlite_where=sa.text(URGENT_OPEN['sqlite']),
    )

    op.create_table(
        'checkin_token',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('checkin_id', sa.Integer(), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.Column('used_at', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['checkin_id'], ['checkin.id'], name=op.f('fk_checkin_token_checkin_id_checkin'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_checkin_token')),
        sa.UniqueConstraint('token_hash', name=op.f('uq_checkin_token_token_hash')),
    )
    op.create_index(op.f('ix_checkin_token_checkin_id'), 'checkin_token', ['checkin_id'])


def downgrade():
    op.drop_index(op.f('ix_checkin_token_checkin_id'), table_name='checkin_token')
    op.drop_table('checkin_token')
    op.drop_index('ix_checkin_urgent_open', table_name='checkin')
    op.drop_index('ix_checkin_course_due', table_name='checkin')
    op.drop_table('checkin')
    op.drop_table('course_session')
    op.drop_index('ix_course_status_start', table_name='course')
    op.drop_index(op.f('ix_course_submission_id'), table_name='course')
    op.drop_index(op.f('ix_course_patient_id'), table_name='course')
    op.drop_table('course')
