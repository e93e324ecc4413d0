"""The clinic outcomes' indexes (issue 16): each course's baseline and latest check-in.

``ix_checkin_latest``: the completed check-ins after the baseline, by course, then completion
time and id (read backwards: the latest first), holding ``phq9_total`` and ``status`` on
PostgreSQL (``INCLUDE``), so the dashboard finds each course's latest PHQ-9 and outcome with one
index-only probe per course instead of reading every check-in (docs/operations.md, "Clinic
outcomes"). A partial index: the open check-ins and the baselines are not in it.

``ix_checkin_baseline``: the completed baseline check-ins by course and due day, holding
``phq9_total``: the course's baseline PHQ-9 in one index-only probe.

Revision ID: 0022_outcome_indexes
Revises: 0021_courses
Create Date: 2026-12-03 11:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022_outcome_indexes'
down_revision = '0021_courses'
branch_labels = None
depends_on = None

COMPLETED_AFTER_BASELINE = "completed_at IS NOT NULL AND kind <> 'baseline'"
COMPLETED_BASELINE = "completed_at IS NOT NULL AND kind = 'baseline'"


def upgrade():
    op.create_index(
        'ix_checkin_latest', 'checkin', ['course_id', 'completed_at', 'id'],
        postgresql_include=['phq9_total', 'status'],
        postgresql_where=sa.text(COMPLETED_AFTER_BASELINE),
        sqlite_where=sa.text(COMPLETED_AFTER_BASELINE),
    )
    op.create_index(
        'ix_checkin_baseline', 'checkin', ['course_id', 'due_on'],
        postgresql_include=['phq9_total'],
        postgresql_where=sa.text(COMPLETED_BASELINE), sqlite_where=sa.text(COMPLETED_BASELINE),
    )


def downgrade():
    op.drop_index('ix_checkin_baseline', table_name='checkin')
    op.drop_index('ix_checkin_latest', table_name='checkin')
