"""Complete audit: the rows each export sent, and an append-only audit log in the database.

``exported_row`` names every submission an export sent (its audit event, its position). The
audit tables refuse UPDATE and DELETE with triggers, on PostgreSQL and on SQLite, so the log is
append-only below the ORM too (docs/security.md says how production narrows the database role
further).

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-02 06:40:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TABLES = ('audit_event', 'exported_row')
MESSAGE = 'the audit log is append-only'


def upgrade():
    op.create_table(
        'exported_row',
        sa.Column('audit_event_id', sa.Integer(), nullable=False),
        sa.Column('position', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['audit_event_id'], ['audit_event.id'], name=op.f('fk_exported_row_audit_event_id_audit_event')),
        sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_exported_row_submission_id_submission')),
        sa.PrimaryKeyConstraint('audit_event_id', 'position', name=op.f('pk_exported_row')),
    )
    with op.batch_alter_table('exported_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_exported_row_submission_id'), ['submission_id'], unique=False)
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(
            "CREATE FUNCTION audit_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
            f"BEGIN RAISE EXCEPTION '{MESSAGE}: % refused on %', TG_OP, TG_TABLE_NAME; END $$"
        )
        for table in TABLES:
            op.execute(
                f"CREATE TRIGGER {table}_append_only BEFORE UPDATE OR DELETE OR TRUNCATE "
                f"ON {table} FOR EACH STATEMENT EXECUTE FUNCTION audit_append_only()"
            )
    else:
        for table in TABLES:
            for verb in ('UPDATE', 'DELETE'):
                op.execute(
                    f"CREATE TRIGGER {table}_no_{verb.lower()} BEFORE {verb} ON {table} "
                    f"BEGIN SELECT RAISE(ABORT, '{MESSAGE}'); END"
                )


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in TABLES:
            op.execute(f"DROP TRIGGER {table}_append_only ON {table}")
        op.execute("DROP FUNCTION audit_append_only()")
    else:
        for table in TABLES:
            for verb in ('update', 'delete'):
                op.execute(f"DROP TRIGGER {table}_no_{verb}")
    with op.batch_alter_table('exported_row', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_exported_row_submission_id'))
    op.drop_table('exported_row')
