"""Patient records linking a person's intakes, and match suggestions (issue 16).

- ``patient(id, created_at)``; ``submission.patient_id``: every stored submission gets a record
  of its own (ids taken from the submissions', then the sequence moved past them on
  PostgreSQL), as a new submission does; only a confirmed match joins two.
- ``submission.email_folded`` and ``phone_digits``: the contact details matching compares
  (``intake.names.fold_email`` / ``phone_digits``), filled in Python in batches; indexed, with
  ``(last_name_folded, date_of_birth)`` for the name-and-birthday match.
- ``patient_match``: a suggestion that a submission is an earlier one's patient, and the front
  desk's decision (confirmed, rejected, undone), with what a confirmation moved.

(Numbered 0020 while other migrations are in review; the merge orders the chain.)

Revision ID: 0020_patients
Revises: 0019_rendered_pdf
Create Date: 2026-12-03 07:40:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql


# revision identifiers, used by Alembic.
revision = '0020_patients'
down_revision = '0019_rendered_pdf'
branch_labels = None
depends_on = None

# A partial submission's details are under ``contact`` (a phone, no e-mail), as row_values reads.
CONTACT = {
    'postgresql': (
        "answers #>> '{patient,email}'",
        "coalesce(answers #>> '{patient,phone}', answers #>> '{contact,phone}')",
    ),
    'sqlite': (
        "json_extract(answers, '$.patient.email')",
        "coalesce(json_extract(answers, '$.patient.phone'), json_extract(answers, '$.contact.phone'))",
    ),
}
BATCH = 5000


def _email(value):
    """``intake.names.fold_email`` as it stood when this migration was written."""
    value = (value or '').strip()
    return value.casefold() or None


def _phone(value):
    """``intake.names.phone_digits`` as it stood when this migration was written."""
    digits = ''.join(c for c in (value or '') if c.isascii() and c.isdigit())
    if len(digits) == 11 and digits.startswith('1'):
        digits = digits[1:]
    return digits or None


def _fill_contacts(bind):
    email, phone = CONTACT[bind.dialect.name]
    last = 0
    while True:
        rows = bind.execute(sa.text(
            f'SELECT id, {email}, {phone} FROM submission WHERE id > :last '
            f'AND ({email} IS NOT NULL OR {phone} IS NOT NULL) ORDER BY id LIMIT :n'
        ), {'last': last, 'n': BATCH}).all()
        if not rows:
            return
        bind.execute(
            sa.text('UPDATE submission SET email_folded = :e, phone_digits = :p WHERE id = :i'),
            [{'i': i, 'e': _email(e), 'p': _phone(p)} for i, e, p in rows],
        )
        last = rows[-1][0]


def upgrade():
    op.create_table(
        'patient',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_patient')),
    )
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('email_folded', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('phone_digits', sa.String(length=15), nullable=True))
        batch_op.create_foreign_key(
            batch_op.f('fk_submission_patient_id_patient'), 'patient', ['patient_id'], ['id']
        )
    bind = op.get_bind()
    op.execute('INSERT INTO patient (id, created_at) SELECT id, created_at FROM submission')
    op.execute('UPDATE submission SET patient_id = id')
    if bind.dialect.name == 'postgresql':
        op.execute(
            "SELECT setval(pg_get_serial_sequence('patient', 'id'), "
            "coalesce((SELECT max(id) FROM patient), 0) + 1, false)"
        )
    _fill_contacts(bind)
    op.create_index(op.f('ix_submission_patient_id'), 'submission', ['patient_id'])
    op.create_index(op.f('ix_submission_email_folded'), 'submission', ['email_folded'])
    op.create_index(op.f('ix_submission_phone_digits'), 'submission', ['phone_digits'])
    op.create_index('ix_submission_name_dob', 'submission', ['last_name_folded', 'date_of_birth'])
    op.create_table(
        'patient_match',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('submission_id', sa.Integer(), nullable=False),
        sa.Column('candidate_id', sa.Integer(), nullable=False),
        sa.Column('reasons', sa.String(length=40), nullable=False),
        sa.Column('status', sa.String(length=16), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_at', sa.DateTime(timezone=True), nullable=True),
        sa.Column('from_patient_id', sa.Integer(), nullable=True),
        sa.Column('moved_ids', sa.JSON().with_variant(postgresql.JSONB(), 'postgresql'), nullable=True),
        sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
        sa.CheckConstraint(
            "status IN ('suggested', 'confirmed', 'rejected', 'undone')",
            name=op.f('ck_patient_match_status'),
        ),
        sa.ForeignKeyConstraint(
            ['candidate_id'], ['submission.id'],
            name=op.f('fk_patient_match_candidate_id_submission'), ondelete='CASCADE',
        ),
        sa.ForeignKeyConstraint(
            ['decided_by_id'], ['staff_user.id'],
            name=op.f('fk_patient_match_decided_by_id_staff_user'),
        ),
        sa.ForeignKeyConstraint(
            ['submission_id'], ['submission.id'],
            name=op.f('fk_patient_match_submission_id_submission'), ondelete='CASCADE',
        ),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_patient_match')),
        sa.UniqueConstraint(
            'submission_id', 'candidate_id', name=op.f('uq_patient_match_submission_id')
        ),
    )
    op.create_index(op.f('ix_patient_match_candidate_id'), 'patient_match', ['candidate_id'])
    op.create_index(op.f('ix_patient_match_submission_id'), 'patient_match', ['submission_id'])


def downgrade():
    op.drop_index(op.f('ix_patient_match_submission_id'), table_name='patient_match')
    op.drop_index(op.f('ix_patient_match_candidate_id'), table_name='patient_match')
    op.drop_table('patient_match')
    for name in ('ix_submission_name_dob', op.f('ix_submission_phone_digits'),
                 op.f('ix_submission_email_folded'), op.f('ix_submission_patient_id')):
        op.drop_index(name, table_name='submission')
    with op.batch_alter_table('submission', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_submission_patient_id_patient'), type_='foreignkey')
        for column in ('phone_digits', 'email_folded', 'patient_id'):
            batch_op.drop_column(column)
    op.drop_table('patient')
