"""The front desk's worklist: copies of what its columns show and filter on, each indexed.

- ``submission.status_rank``: the status's place in the workflow (new, in review, needs
  information, insurance verified, scheduled, closed, withdrawn), so "sort by status" follows
  the workflow, not the alphabet (Closed first), through ``ix_submission_status_rank``.
- ``submission.phq9_total`` and ``top_flag``: from the stored evaluation (its scores and its
  first flag, flags being ordered urgent first), in one UPDATE per dialect.
- ``submission.payer_folded``: the payer's name folded as last names are (case and accents;
  ``intake.names.fold_name``), filled in Python in batches of the rows that name a payer.
- ``submission.review_decision``: the latest clinician review's decision.
- ``submission.assigned_to_id``: the colleague a submission is assigned to (SET NULL when the
  account is ever deleted).
- ``insurance_verification(prior_auth, submission_id)``: the "prior auth pending" filter.
- ``ix_submission_pinned`` (the few unacknowledged urgent rows) carries the worklist's columns
  too on PostgreSQL, so a worklist filter on the pinned rows is read from that small index
  alone: without them, "awaiting review" or "assigned to nobody" (true of nearly every row)
  steered the pinned count onto the filter's own index, ~200 ms at a million rows.

Each filter's index ends in ``(submitted_at, id)``, the list's default order. On PostgreSQL
the backfill rewrites every row once and the index builds take the write lock for a few seconds
each at a million rows (docs/operations.md): run it in a maintenance window.

(Numbered 0016 while other migrations are in review; the merge orders the chain.)

Revision ID: 0016_worklist
Revises: 0015_token_scopes
Create Date: 2026-12-03 07:00:00

"""
import unicodedata

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0016_worklist'
down_revision = '0015_token_scopes'
branch_labels = None
depends_on = None

#: The workflow's order as it stood when this migration was written (models.workflow.STATUSES).
STATUS_ORDER = ('new', 'in_review', 'needs_info', 'insurance_verified', 'scheduled', 'closed', 'withdrawn')

RANK = 'CASE status ' + ' '.join(
    f"WHEN '{status}' THEN {rank}" for rank, status in enumerate(STATUS_ORDER)
) + f' ELSE {len(STATUS_ORDER)} END'

FROM_EVALUATION = {
    'postgresql': """
        UPDATE submission SET
            phq9_total = CASE WHEN jsonb_typeof(evaluation #> '{scores,phq9,total}') = 'number'
                              THEN (evaluation #>> '{scores,phq9,total}')::smallint END,
            top_flag = evaluation #>> '{flags,0,code}'
        WHERE evaluation IS NOT NULL
    """,
    'sqlite': """
        UPDATE submission SET
            phq9_total = CASE WHEN json_type(evaluation, '$.scores.phq9.total') = 'integer'
                              THEN json_extract(evaluation, '$.scores.phq9.total') END,
            top_flag = json_extract(evaluation, '$.flags[0].code')
        WHERE evaluation IS NOT NULL
    """,
}

PAYER = {
    'postgresql': "answers #>> '{insurance,payer_name}'",
    'sqlite': "json_extract(answers, '$.insurance.payer_name')",
}

LATEST_REVIEW = """
    UPDATE submission SET review_decision = (
        SELECT r.decision FROM clinician_review AS r
        WHERE r.submission_id = submission.id
        ORDER BY r.created_at DESC, r.id DESC LIMIT 1
    )
"""

BATCH = 5000

PINNED = {
    'postgresql': 'urgent AND acknowledged_at IS NULL',
    'sqlite': 'urgent = 1 AND acknowledged_at IS NULL',
}
PINNED_INCLUDE = ['status', 'primary_concern', 'coverage_type', 'last_name_folded', 'date_of_birth', 'reference']
WORKLIST_INCLUDE = ['partial', 'phq9_total', 'top_flag', 'payer_folded', 'review_decision', 'assigned_to_id']


def _pinned_index(include):
    op.drop_index('ix_submission_pinned', table_name='submission')
    op.create_index(
        'ix_submission_pinned', 'submission', [sa.text('acute DESC'), 'submitted_at', 'id'],
        postgresql_where=sa.text(PINNED['postgresql']), sqlite_where=sa.text(PINNED['sqlite']),
        postgresql_include=include,
    )


def _fold(value):
    """``intake.names.fold_name`` as it stood when this migration was written."""
    decomposed = unicodedata.normalize('NFKD', value.strip())
    return ''.join(c for c in decomposed if not unicodedata.combining(c)).casefold()[:120]


def _fill_payers(bind):
    payer = PAYER[bind.dialect.name]
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f'SELECT id, {payer} FROM submission WHERE id > :last AND {payer} IS NOT NULL '
            'ORDER BY id LIMIT :n'
        ), {'last': last, 'n': BATCH}).all()
        if not rows:
            return
        updates = [{'i': i, 'p': _fold(name)} for i, name in rows if name and name.strip()]
        if updates:
            bind.execute(sa.text('UPDATE submission SET payer_folded = :p WHERE id = :i'), updates)
        last = rows[-1][0]


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('status_rank', sa.SmallInteger(), nullable=False, server_default='0')
        )
        batch_op.add_column(sa.Column('phq9_total', sa.SmallInteger(), nullable=True))
        batch_op.add_column(sa.Column('top_flag', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('payer_folded', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('review_decision', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('assigned_to_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_submission_assigned_to_id_staff_user'), 'staff_user',
            ['assigned_to_id'], ['id'], ondelete='SET NULL',
        )
    bind = op.get_bind()
    op.execute(f'UPDATE submission SET status_rank = {RANK}')
    op.execute(FROM_EVALUATION[bind.dialect.name])
    op.execute(LATEST_REVIEW)
    _fill_payers(bind)
    op.create_index(
        'ix_submission_status_rank', 'submission',
        ['status_rank', sa.text('submitted_at DESC'), sa.text('id DESC')],
    )
    for name, column in (
        ('ix_submission_phq9_total', 'phq9_total'),
        ('ix_submission_top_flag', 'top_flag'),
        ('ix_submission_review_decision', 'review_decision'),
        ('ix_submission_assigned_to', 'assigned_to_id'),
    ):
        op.create_index(name, 'submission', [column, 'submitted_at', 'id'])
    op.create_index(
        'ix_submission_payer_prefix', 'submission', ['payer_folded'],
        postgresql_ops={'payer_folded': 'varchar_pattern_ops'},
    )
    op.create_index(
        'ix_insurance_verification_prior_auth', 'insurance_verification',
        ['prior_auth', 'submission_id'],
    )
    _pinned_index(PINNED_INCLUDE + WORKLIST_INCLUDE)


def downgrade():
    _pinned_index(PINNED_INCLUDE)
    op.drop_index('ix_insurance_verification_prior_auth', table_name='insurance_verification')
    for name in (
        'ix_submission_payer_prefix', 'ix_submission_assigned_to', 'ix_submission_review_decision',
        'ix_submission_top_flag', 'ix_submission_phq9_total', 'ix_submission_status_rank',
    ):
        op.drop_index(name, table_name='submission')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_submission_assigned_to_id_staff_user'), type_='foreignkey'
        )
        for column in (
            'assigned_to_id', 'review_decision', 'payer_folded', 'top_flag', 'phq9_total',
            'status_rank',
        ):
            batch_op.drop_column(column)
