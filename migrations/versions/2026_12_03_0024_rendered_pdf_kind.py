"""Stored PDFs of three kinds: the summary, the prior-authorization packet, the course report.

- ``rendered_pdf.kind`` (``summary``, ``prior_auth``, ``course_report``; the rows stored so far
  are summaries) and ``rendered_pdf.course_id`` (a course report's course, deleted with it;
  only a course report has one). A newer key drops the older rows of the same submission,
  kind and course only, so one kind of PDF never evicts another's bytes (issue 13).

Revision ID: 0024_rendered_pdf_kind
Revises: 0023_checkin_unsigned
Create Date: 2026-12-03 13:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0024_rendered_pdf_kind'
down_revision = '0023_checkin_unsigned'
branch_labels = None
depends_on = None

_KIND_CHECK = "kind IN ('summary', 'prior_auth', 'course_report')"
_COURSE_CHECK = "(kind = 'course_report') = (course_id IS NOT NULL)"


def upgrade():
    with op.batch_alter_table('rendered_pdf', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('kind', sa.String(length=20), nullable=False, server_default='summary')
        )
        batch_op.add_column(sa.Column('course_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_rendered_pdf_course_id_course'), 'course', ['course_id'], ['id'],
            ondelete='CASCADE',
        )
        batch_op.create_check_constraint(op.f('ck_rendered_pdf_kind'), _KIND_CHECK)
        batch_op.create_check_constraint(
            op.f('ck_rendered_pdf_course_report_course'), _COURSE_CHECK
        )
    op.create_index(op.f('ix_rendered_pdf_course_id'), 'rendered_pdf', ['course_id'])


def downgrade():
    # The packets and reports go: the older schema has nowhere to say what they are.
    op.execute("DELETE FROM rendered_pdf WHERE kind <> 'summary'")
    op.drop_index(op.f('ix_rendered_pdf_course_id'), table_name='rendered_pdf')
    with op.batch_alter_table('rendered_pdf', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('ck_rendered_pdf_course_report_course'), type_='check')
        batch_op.drop_constraint(op.f('ck_rendered_pdf_kind'), type_='check')
        batch_op.drop_constraint(batch_op.f('fk_rendered_pdf_course_id_course'), type_='foreignkey')
        batch_op.drop_column('course_id')
        batch_op.drop_column('kind')
