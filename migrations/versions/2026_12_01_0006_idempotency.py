"""API Idempotency-Key: a retried intake is found, not stored twice (unique per API token).

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-01 20:58:33.924344

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('api_token_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('idempotency_key', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('request_sha256', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_submission_idempotency', ['api_token_id', 'idempotency_key'])
        batch_op.create_foreign_key(batch_op.f('fk_submission_api_token_id_api_token'), 'api_token', ['api_token_id'], ['id'])


def downgrade():
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_api_token_id_api_token'), type_='foreignkey')
        batch_op.drop_constraint('uq_submission_idempotency', type_='unique')
        batch_op.drop_column('request_sha256')
        batch_op.drop_column('idempotency_key')
        batch_op.drop_column('api_token_id')
