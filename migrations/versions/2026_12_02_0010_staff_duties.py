"""Separation of duties: a password set by someone else must be changed at the next sign-in,
and the authenticator secret being set up is kept on the account, not in the session cookie.

``must_change_password`` is false for every existing account (their passwords stay as they
are); ``totp_pending_secret`` starts empty.

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('totp_pending_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(
            sa.Column(
                'must_change_password', sa.Boolean(), nullable=False, server_default=sa.false()
            )
        )


def downgrade():
    with op.batch_alter_table('staff_user', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
        batch_op.drop_column('totp_pending_secret')
