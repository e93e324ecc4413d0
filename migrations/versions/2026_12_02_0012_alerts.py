"""Alerts: on-call tiers and their recipients, the alerts raised and their delivery outbox.

``alert.key`` is unique, so an event raises one alert however often the sweep looks at it;
``alert_delivery`` is unique per (alert, channel, recipient), so each recipient gets one
delivery; ``event_id`` is its stable Message-ID / webhook event id. No patient data in any of
these tables (docs/operations.md, "Alerts"). New tables only: nothing existing changes.

Revision ID: 0012_alerts
Revises: 0011
Create Date: 2026-12-02 12:24:07

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql

# revision identifiers, used by Alembic.
revision = '0012_alerts'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('alert_tier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('escalate_after_minutes', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_tier')),
    sa.UniqueConstraint('position', name=op.f('uq_alert_tier_position'))
    )
    op.create_table('alert_recipient',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('tier_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('webhook_url', sa.String(length=500), nullable=True),
    sa.Column('webhook_secret', sa.String(length=200), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint("channel IN ('email', 'webhook')", name=op.f('ck_alert_recipient_channel')),
    sa.ForeignKeyConstraint(['tier_id'], ['alert_tier.id'], name=op.f('fk_alert_recipient_tier_id_alert_tier')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_user.id'], name=op.f('fk_alert_recipient_user_id_staff_user')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_recipient'))
    )
    with op.batch_alter_table('alert_recipient', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_recipient_tier_id'), ['tier_id'], unique=False)

    op.create_table('alert',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=80), nullable=False),
    sa.Column('event', sa.String(length=40), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('tier', sa.Integer(), nullable=True),
    sa.Column('round', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('detail', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql'), nullable=False),
    sa.ForeignKeyConstraint(['submission_id'], ['submission.id'], name=op.f('fk_alert_submission_id_submission')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert')),
    sa.UniqueConstraint('key', name=op.f('uq_alert_key'))
    )
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_submission_id'), ['submission_id'], unique=False)

    op.create_table('alert_delivery',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('alert_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('recipient', sa.String(length=500), nullable=False),
    sa.Column('recipient_id', sa.Integer(), nullable=True),
    sa.Column('event_id', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sa.String(length=300), nullable=True),
    sa.Column('next_attempt_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('claimed_until', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('sent_at', sa.DateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('pending', 'sending', 'sent', 'failed')", name=op.f('ck_alert_delivery_status')),
    sa.ForeignKeyConstraint(['alert_id'], ['alert.id'], name=op.f('fk_alert_delivery_alert_id_alert')),
    sa.ForeignKeyConstraint(['recipient_id'], ['alert_recipient.id'], name=op.f('fk_alert_delivery_recipient_id_alert_recipient'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_alert_delivery')),
    sa.UniqueConstraint('alert_id', 'channel', 'recipient', name=op.f('uq_alert_delivery_alert_id')),
    sa.UniqueConstraint('event_id', name=op.f('uq_alert_delivery_event_id'))
    )
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_alert_delivery_alert_id'), ['alert_id'], unique=False)
        batch_op.create_index('ix_alert_delivery_due', ['status', 'next_attempt_at'], unique=False)



def downgrade():
    with op.batch_alter_table('alert_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_alert_delivery_due')
        batch_op.drop_index(batch_op.f('ix_alert_delivery_alert_id'))

    op.drop_table('alert_delivery')
    with op.batch_alter_table('alert', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_submission_id'))

    op.drop_table('alert')
    with op.batch_alter_table('alert_recipient', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_alert_recipient_tier_id'))

    op.drop_table('alert_recipient')
    op.drop_table('alert_tier')
