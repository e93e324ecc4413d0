"""Prior authorization a payer accepts (issue 14, item 2).

- ``clinician_review``: the diagnosis (``diagnosis_codes``, ICD-10-CM codes, ``[]`` for every
  earlier review) and the planned course (``course_sessions``, ``course_taper_sessions``,
  ``course_protocol``; NULL: not planned).
- ``staff_user.npi`` and ``full_name``: a clinician's NPI (NULL: not set) and the name payers
  know them by.
- ``insurance_verification`` and its history: the prior-authorization tracking (requested
  date, approved units and dates, denial reason, appeal date and outcome). (The queue's index
  on ``prior_auth`` comes with 0016.)

(After 0016, the worklist.)

Revision ID: 0017_prior_auth
Revises: 0016_worklist
Create Date: 2026-12-03 07:00:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0017_prior_auth'
down_revision = '0016_worklist'
branch_labels = None
depends_on = None

_APPEAL_CHECK = "appeal_outcome IN ('', 'pending', 'approved', 'denied')"
_JSON = sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql')


def _tracking_columns(batch_op, table):
    batch_op.add_column(sa.Column('prior_auth_requested_on', sa.Date(), nullable=True))
    batch_op.add_column(sa.Column('prior_auth_units', sa.Integer(), nullable=True))
    batch_op.add_column(sa.Column('prior_auth_start', sa.Date(), nullable=True))
    batch_op.add_column(sa.Column('prior_auth_end', sa.Date(), nullable=True))
    batch_op.add_column(
        sa.Column('prior_auth_denial_reason', sa.Text(), nullable=False, server_default='')
    )
    batch_op.add_column(sa.Column('appeal_on', sa.Date(), nullable=True))
    batch_op.add_column(
        sa.Column('appeal_outcome', sa.String(length=16), nullable=False, server_default='')
    )
    batch_op.create_check_constraint(op.f(f'ck_{table}_appeal_outcome'), _APPEAL_CHECK)


def _drop_tracking_columns(batch_op, table):
    batch_op.drop_constraint(op.f(f'ck_{table}_appeal_outcome'), type_='check')
    for name in (
        'appeal_outcome',
        'appeal_on',
        'prior_auth_denial_reason',
        'prior_auth_end',
        'prior_auth_start',
        'prior_auth_units',
        'prior_auth_requested_on',
    ):
        batch_op.drop_column(name)


def upgrade():
    with op.batch_alter_table('clinician_review', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('diagnosis_codes', _JSON, nullable=False, server_default='[]')
        )
        batch_op.add_column(sa.Column('course_sessions', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('course_taper_sessions', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('course_protocol', sa.String(length=24), nullable=True))
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('npi', sa.String(length=10), nullable=True))
        batch_op.add_column(
            sa.Column('full_name', sa.String(length=200), nullable=False, server_default='')
        )
    with op.batch_alter_table('insurance_verification', schema=None) as batch_op:
        _tracking_columns(batch_op, 'insurance_verification')
    with op.batch_alter_table('insurance_verification_history', schema=None) as batch_op:
        _tracking_columns(batch_op, 'insurance_verification_history')


def downgrade():
    with op.batch_alter_table('insurance_verification_history', schema=None) as batch_op:
        _drop_tracking_columns(batch_op, 'insurance_verification_history')
    with op.batch_alter_table('insurance_verification', schema=None) as batch_op:
        _drop_tracking_columns(batch_op, 'insurance_verification')
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('full_name')
        batch_op.drop_column('npi')
    with op.batch_alter_table('clinician_review', schema=None) as batch_op:
        batch_op.drop_column('course_protocol')
        batch_op.drop_column('course_taper_sessions')
        batch_op.drop_column('course_sessions')
        batch_op.drop_column('diagnosis_codes')
