"""The language a check-in was answered in (``checkin.language``).

Staff pages stay English; the check-in record says beside the answers when the patient used
the check-in pages in another language, as the intake's pages do (docs/staff.md). Check-ins
sent before this column have NULL (not recorded), and say nothing.

Revision ID: 0026_checkin_language
Revises: 0025_coverage_concern_index
Create Date: 2026-12-07 01:10:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0026_checkin_language'
down_revision = '0025_coverage_concern_index'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('checkin') as batch:
        batch.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('checkin') as batch:
        batch.drop_column('language')
