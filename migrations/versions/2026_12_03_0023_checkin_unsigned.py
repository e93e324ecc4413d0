"""The clinicians' urgent check-ins: a partial index of the urgent check-ins not signed off.

The staff header of every clinician page counts them (with the unsigned urgent submissions),
and the poll asks for that count every 20 seconds: it is read from this small index, never by
scanning every check-in (tests/staff/test_queue_live.py, "read indexes").

A new index only: nothing stored changes.

Revision ID: 0023_checkin_unsigned
Revises: 0022_outcome_indexes
Create Date: 2026-12-03 10:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0023_checkin_unsigned'
down_revision = '0022_outcome_indexes'
branch_labels = None
depends_on = None

URGENT_UNSIGNED = {
    'postgresql': 'urgent AND signed_off_at IS NULL',
    'sqlite': 'urgent = 1 AND signed_off_at IS NULL',
}


def upgrade():
    op.create_index(
        'ix_checkin_urgent_unsigned', 'checkin', ['completed_at'],
        postgresql_where=sa.text(URGENT_UNSIGNED['postgresql']),
        sqlite_where=sa.text(URGENT_UNSIGNED['sqlite']),
    )


def downgrade():
    op.drop_index('ix_checkin_urgent_unsigned', table_name='checkin')
