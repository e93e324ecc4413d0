"""The queue at a million submissions: pathways in a join table, a partial index for the pins,
one index per sort ending in the id.

- ``submission_pathway(submission_id, code, submitted_at)`` replaces
  ``submission.pathway_codes`` (",code1,code2,", filtered with ``LIKE '%,x,%'``: a full scan).
  It is filled from every stored evaluation in one INSERT ... SELECT per dialect
  (``jsonb_array_elements`` on PostgreSQL, ``json_each`` on SQLite), so the backfill runs in the
  database, not row by row in Python; its ``(code, submitted_at, submission_id)`` index (a
  pathway's submissions newest first) is built after the rows are in. ``submitted_at`` is the
  submission's, which never changes.
- ``ix_submission_pinned`` becomes a partial index of the unacknowledged urgent rows only, in
  the pinned list's order (acute first, then longest waiting, then id), carrying the filtered
  and searched columns on PostgreSQL: the list, its count and the header count no longer walk
  the acknowledged urgent rows. ``ix_submission_unacknowledged`` (urgent, acknowledged_at,
  submitted_at) is covered by it and goes.
- PostgreSQL gets extended statistics on ``(urgent, acknowledged_at)``, so it knows how few
  rows are pinned (the columns are far from independent) and plans filtered pinned queries on
  the partial index.
- The list's sorts read ``(submitted_at, id)``, ``(status, submitted_at DESC, id DESC)`` and
  ``(last_name_folded, id)``, in place of the single-column indexes on those columns, so the
  keyset "next page" starts right after a given row.

On PostgreSQL the index builds take the table's write lock for a few seconds per index at a
million rows (docs/operations.md): run it in a maintenance window, as the other migrations.
(Numbered 0011 after 0009 while another 0010 is in review; the merge orders the chain.)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-02 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

PINNED = {
    'postgresql': 'urgent AND acknowledged_at IS NULL',
    # SQLite uses a partial index only when the query's terms match the index's own; SQLAlchemy
    # writes a boolean column as ``urgent = 1`` there.
    'sqlite': 'urgent = 1 AND acknowledged_at IS NULL',
}

#: Extended statistics (PostgreSQL): how often urgent and unacknowledged go together.
PINNED_STATISTICS = 'st_submission_urgent_acknowledged'

#: What the filters and the search read, carried by the few pinned rows' index (PostgreSQL).
PINNED_INCLUDE = ['status', 'primary_concern', 'coverage_type', 'last_name_folded', 'date_of_birth', 'reference']

BACKFILL = {
    'postgresql': """
        INSERT INTO submission_pathway (submission_id, code, submitted_at)
        SELECT DISTINCT s.id, p.value ->> 'code', s.submitted_at
        FROM submission AS s,
             jsonb_array_elements(CASE WHEN jsonb_typeof(s.evaluation -> 'pathways') = 'array'
                                       THEN s.evaluation -> 'pathways'
                                       ELSE '[]'::jsonb END) AS p(value)
        WHERE coalesce(p.value ->> 'code', '') <> ''
    """,
    'sqlite': """
        INSERT INTO submission_pathway (submission_id, code, submitted_at)
        SELECT DISTINCT s.id, json_extract(p.value, '$.code'), s.submitted_at
        FROM submission AS s,
             json_each(CASE WHEN json_type(s.evaluation, '$.pathways') = 'array'
                            THEN json_extract(s.evaluation, '$.pathways')
                            ELSE '[]' END) AS p
        WHERE coalesce(json_extract(p.value, '$.code'), '') <> ''
    """,
}

# The old ",code1,code2," column, rebuilt from the evaluations in their order (downgrade).
CODES_COLUMN = {
    'postgresql': """
        UPDATE submission AS s SET pathway_codes = coalesce((
            SELECT ',' || string_agg(p.value ->> 'code', ',' ORDER BY p.n) || ','
            FROM jsonb_array_elements(CASE WHEN jsonb_typeof(s.evaluation -> 'pathways') = 'array'
                                           THEN s.evaluation -> 'pathways'
                                           ELSE '[]'::jsonb END) WITH ORDINALITY AS p(value, n)
            WHERE coalesce(p.value ->> 'code', '') <> ''), '')
    """,
    'sqlite': """
        UPDATE submission SET pathway_codes = coalesce((
            SELECT ',' || group_concat(code, ',') || ','
            FROM (SELECT json_extract(p.value, '$.code') AS code
                  FROM json_each(CASE WHEN json_type(submission.evaluation, '$.pathways') = 'array'
                                      THEN json_extract(submission.evaluation, '$.pathways')
                                      ELSE '[]' END) AS p
                  WHERE coalesce(json_extract(p.value, '$.code'), '') <> ''
                  ORDER BY p.key)), '')
    """,
}


def upgrade():
    dialect = op.get_bind().dialect.name
    op.create_table(
        'submission_pathway',
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('code', sa.String(length=64), nullable=False),
        sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_submission_pathway_submission_id_submission'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('submission_id', 'code', name=op.f('pk_submission_pathway')),
    )
    op.execute(BACKFILL[dialect])
    op.create_index('ix_submission_pathway_code', 'submission_pathway', ['code', 'submitted_at', 'submission_id'], unique=False)
    # No batch mode: dropping an unindexed column is a plain ALTER TABLE on both (SQLite 3.35+),
    # and a batch rebuild of ``submission`` is not needed for indexes.
    op.drop_column('submission', 'pathway_codes')

    op.drop_index('ix_submission_pinned', table_name='submission')
    op.drop_index('ix_submission_unacknowledged', table_name='submission')
    op.create_index(
        'ix_submission_pinned', 'submission', [sa.text('acute DESC'), 'submitted_at', 'id'], unique=False,
        postgresql_where=sa.text(PINNED['postgresql']), sqlite_where=sa.text(PINNED['sqlite']),
        postgresql_include=PINNED_INCLUDE,
    )
    if dialect == 'postgresql':
        # Without it PostgreSQL multiplies the share of urgent rows by the share of
        # unacknowledged ones (nearly every row: a row that is not urgent is never
        # acknowledged) and expects a hundred times more pinned rows than there are, which
        # steers filtered pinned queries off the partial index.
        op.execute(f'CREATE STATISTICS {PINNED_STATISTICS} (mcv) ON urgent, acknowledged_at FROM submission')
        op.execute('ANALYZE submission')
    op.drop_index('ix_submission_submitted_at', table_name='submission')
    op.create_index('ix_submission_submitted', 'submission', ['submitted_at', 'id'], unique=False)
    op.drop_index('ix_submission_status', table_name='submission')
    op.create_index(
        'ix_submission_status_submitted', 'submission',
        ['status', sa.text('submitted_at DESC'), sa.text('id DESC')], unique=False,
    )
    op.drop_index('ix_submission_last_name_folded', table_name='submission')
    op.create_index('ix_submission_last_name_folded', 'submission', ['last_name_folded', 'id'], unique=False)


def downgrade():
    dialect = op.get_bind().dialect.name
    if dialect == 'postgresql':
        op.execute(f'DROP STATISTICS IF EXISTS {PINNED_STATISTICS}')
    op.drop_index('ix_submission_last_name_folded', table_name='submission')
    op.create_index('ix_submission_last_name_folded', 'submission', ['last_name_folded'], unique=False)
    op.drop_index('ix_submission_status_submitted', table_name='submission')
    op.create_index('ix_submission_status', 'submission', ['status'], unique=False)
    op.drop_index('ix_submission_submitted', table_name='submission')
    op.create_index('ix_submission_submitted_at', 'submission', ['submitted_at'], unique=False)
    op.drop_index('ix_submission_pinned', table_name='submission')
    op.create_index('ix_submission_unacknowledged', 'submission', ['urgent', 'acknowledged_at', 'submitted_at'], unique=False)
    op.create_index('ix_submission_pinned', 'submission', ['urgent', 'acknowledged_at', 'acute', 'submitted_at'], unique=False)

    op.add_column('submission', sa.Column('pathway_codes', sa.String(length=400), server_default='', nullable=False))
    op.execute(CODES_COLUMN[dialect])
    op.drop_index('ix_submission_pathway_code', table_name='submission_pathway')
    op.drop_table('submission_pathway')
