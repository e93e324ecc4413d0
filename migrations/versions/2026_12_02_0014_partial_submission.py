"""Partial submissions: a positive suicide risk screen sent from the support page.

- ``submission.partial`` (false for every existing row): the answers hold only the steps the
  patient had answered in full, the evaluation only the screening flags (docs/staff.md).
- ``submission.completes_id``: the full submission that finishes a partial one (unique: one
  full submission completes a partial; SET NULL if the partial is ever deleted).
- ``draft.partial_submission_id``: the draft's one partial submission (unique).
- ``submission.primary_concern`` and ``coverage_type`` become nullable: a partial may be sent
  before those steps are answered, and a made-up value would mislead the queue's filters.

(Numbered 0014 after 0011 while other migrations are in review; the merge orders the chain.)

Revision ID: 0014_partial_submission
Revises: 0013_risk_workflow
Create Date: 2026-12-02 12:45:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0014_partial_submission'
down_revision = '0013_risk_workflow'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('partial', sa.Boolean(), nullable=False, server_default=sa.false())
        )
        batch_op.add_column(sa.Column('completes_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_submission_completes_id'), ['completes_id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_submission_completes_id_submission'), 'submission',
            ['completes_id'], ['id'], ondelete='SET NULL',
        )
        batch_op.alter_column('primary_concern', existing_type=sa.String(length=20), nullable=True)
        batch_op.alter_column('coverage_type', existing_type=sa.String(length=20), nullable=True)
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.add_column(sa.Column('partial_submission_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(
            batch_op.f('uq_draft_partial_submission_id'), ['partial_submission_id']
        )
        batch_op.create_foreign_key(
            batch_op.f('fk_draft_partial_submission_id_submission'), 'submission',
            ['partial_submission_id'], ['id'], ondelete='SET NULL',
        )


def downgrade():
    with op.batch_alter_table('draft', schema=None) as batch_op:
        batch_op.drop_constraint(
            batch_op.f('fk_draft_partial_submission_id_submission'), type_='foreignkey'
        )
        batch_op.drop_constraint(batch_op.f('uq_draft_partial_submission_id'), type_='unique')
        batch_op.drop_column('partial_submission_id')
    # Partial rows cannot satisfy the NOT NULL columns again: they go first.
    op.execute('DELETE FROM submission WHERE partial')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.alter_column('coverage_type', existing_type=sa.String(length=20), nullable=False)
        batch_op.alter_column('primary_concern', existing_type=sa.String(length=20), nullable=False)
        batch_op.drop_constraint(
            batch_op.f('fk_submission_completes_id_submission'), type_='foreignkey'
        )
        batch_op.drop_constraint(batch_op.f('uq_submission_completes_id'), type_='unique')
        batch_op.drop_column('completes_id')
        batch_op.drop_column('partial')
