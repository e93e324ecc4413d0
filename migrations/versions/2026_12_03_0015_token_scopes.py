"""API token scopes: what each token may do (docs/fhir.md, "Scopes").

- ``api_token.scopes``: the token's scopes, space-separated (``intakes:write fhir:read``).
  Every existing token gets ``intakes:write`` only: what it could do before.

Revision ID: 0015_token_scopes
Revises: 0014_partial_submission
Create Date: 2026-12-03 07:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0015_token_scopes'
down_revision = '0014_partial_submission'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column(
                'scopes', sa.String(length=200), nullable=False, server_default='intakes:write'
            )
        )


def downgrade():
    with op.batch_alter_table('api_token', schema=None) as batch_op:
        batch_op.drop_column('scopes')
