"""The queue's coverage + concern filter through one index (issue 13).

``ix_submission_coverage_concern`` on ``(coverage_type, primary_concern, submitted_at, id)``:
the front desk filters on a payer type and a concern together ("Medicare, OCD"), and no
single-column index holds both, so PostgreSQL combined the two (a ``BitmapAnd`` of 149,412
and 75,838 entries at 1,000,000 submissions) before counting the first 501 rows: 65.5 ms p95
for the count, over the 50 ms goal. With this index the count reads its first 501 entries
(index-only) and a newest or oldest page of the pair is one range of it, in order
(docs/operations.md, "The queue at a million submissions"). A filter on the coverage alone
can read it too (its first column).

Building it on 1,000,000 rows took about 4 s (55 MB); the table is locked for writes
meanwhile, like the other migrations.

Revision ID: 0025_coverage_concern_index
Revises: 0024_rendered_pdf_kind
Create Date: 2026-12-03 19:30:00

"""
from alembic import op


# revision identifiers, used by Alembic.
revision = '0025_coverage_concern_index'
down_revision = '0024_rendered_pdf_kind'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index(
        'ix_submission_coverage_concern', 'submission',
        ['coverage_type', 'primary_concern', 'submitted_at', 'id'],
    )


def downgrade():
    op.drop_index('ix_submission_coverage_concern', table_name='submission')
