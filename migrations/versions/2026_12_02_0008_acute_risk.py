"""Acute suicide risk as its own column: acute before non-acute among the pinned urgent rows.

Rules v2 splits suicide risk into acute (crisis support now) and non-acute (a same-day safety
check-in); the queue pins both and lists the acute ones first. The column is filled from each
stored evaluation's flags (v1 evaluations have the same ``suicide_risk_acute`` flag).

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-02 06:20:00

"""
import json

from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None

ACUTE_FLAG = "suicide_risk_acute"


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('acute', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    submission = sa.table(
        'submission', sa.column('id', sa.Integer), sa.column('urgent', sa.Boolean),
        sa.column('acute', sa.Boolean), sa.column('evaluation', sa.JSON),
    )
    bind = op.get_bind()
    # Only urgent rows can be acute: a small share, read in one pass.
    rows = bind.execute(
        sa.select(submission.c.id, submission.c.evaluation).where(submission.c.urgent.is_(True))
    )
    acute = []
    for row_id, evaluation in rows:
        if isinstance(evaluation, str):
            evaluation = json.loads(evaluation)
        flags = (evaluation or {}).get('flags') or []
        if any(flag.get('code') == ACUTE_FLAG for flag in flags):
            acute.append(row_id)
    for start in range(0, len(acute), 500):
        bind.execute(
            submission.update()
            .where(submission.c.id.in_(acute[start:start + 500]))
            .values(acute=True)
        )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.create_index(
            'ix_submission_pinned', ['urgent', 'acknowledged_at', 'acute', 'submitted_at'],
            unique=False,
        )


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_index('ix_submission_pinned')
        batch_op.drop_column('acute')
