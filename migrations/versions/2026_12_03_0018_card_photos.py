"""Insurance card photos: one ``card_photo`` row per stored side (front/back).

The photo files live in the configured store (a local folder or S3), named by the random
``storage_key``; the row links it to its draft and, once sent, its submission.

(down_revision is 0016_worklist while both are in review; the merge orders the chain.)

Revision ID: 0018_card_photos
Revises: 0017_prior_auth
Create Date: 2026-12-03 08:00:00

"""
from alembic import op
import sqlalchemy as sa

revision = "0018_card_photos"
down_revision = "0017_prior_auth"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "card_photo",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column(
            "draft_id",
            sa.Integer(),
            sa.ForeignKey("draft.id", name="fk_card_photo_draft_id_draft", ondelete="SET NULL"),
            nullable=True,
        ),
        sa.Column(
            "submission_id",
            sa.Integer(),
            sa.ForeignKey(
                "submission.id", name="fk_card_photo_submission_id_submission", ondelete="SET NULL"
            ),
            nullable=True,
        ),
        sa.Column("side", sa.String(8), nullable=False),
        sa.Column("storage_key", sa.String(64), nullable=False),
        sa.Column("width", sa.Integer(), nullable=False),
        sa.Column("height", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id", name="pk_card_photo"),
        sa.UniqueConstraint("storage_key", name="uq_card_photo_storage_key"),
    )
    op.create_index("ix_card_photo_draft_id", "card_photo", ["draft_id"])
    op.create_index("ix_card_photo_submission_id", "card_photo", ["submission_id"])


def downgrade() -> None:
    op.drop_index("ix_card_photo_submission_id", table_name="card_photo")
    op.drop_index("ix_card_photo_draft_id", table_name="card_photo")
    op.drop_table("card_photo")
