"""Summary PDFs rendered once per version, by the job worker (issue 13).

- ``rendered_pdf(submission_id, key, content, render_ms, created_at)``: one row per submission
  and version of what its PDF shows (``key``, unique); a download sends the stored bytes, and
  the web worker no longer renders. Deleted with the submission.

(Numbered 0019 while other migrations are in review; the merge orders the chain.)

Revision ID: 0019_rendered_pdf
Revises: 0018_card_photos
Create Date: 2026-12-03 07:30:00

"""
from alembic import op
import sqlalchemy as sa



# revision identifiers, used by Alembic.
revision = '0019_rendered_pdf'
down_revision = '0018_card_photos'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'rendered_pdf',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('content', sa.LargeBinary(), nullable=False),
        sa.Column('render_ms', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ['submission_id'], ['submission.id'],
            name=op.f('fk_rendered_pdf_submission_id_submission'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rendered_pdf')),
        sa.UniqueConstraint('key', name=op.f('uq_rendered_pdf_key')),
    )
    op.create_index(op.f('ix_rendered_pdf_submission_id'), 'rendered_pdf', ['submission_id'])


def downgrade():
    op.drop_index(op.f('ix_rendered_pdf_submission_id'), table_name='rendered_pdf')
    op.drop_table('rendered_pdf')
