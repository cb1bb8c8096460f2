"""signed anchors of the attempt event chains

Revision ID: 0004
Revises: 0003
"""
from alembic import op
import sqlalchemy as sa

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("attempts") as batch:
        batch.add_column(sa.Column("anchored_count", sa.Integer(), nullable=False, server_default="0"))
        batch.add_column(sa.Column("anchored_at", sa.BigInteger(), nullable=True))
    op.create_table(
        "attempt_anchors",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("head_hash", sa.String(length=64), nullable=False),
        sa.Column("points_json", sa.Text(), nullable=False),
        sa.Column("form_sha256", sa.String(length=64), nullable=False),
        sa.Column("reason", sa.String(length=16), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_attempt_anchors_attempt_id_attempts")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_attempt_anchors")),
    )
    with op.batch_alter_table("attempt_anchors") as batch:
        batch.create_index("ix_attempt_anchors_attempt_number", ["attempt_id", "number"], unique=False)


def downgrade() -> None:
    op.drop_table("attempt_anchors")
    with op.batch_alter_table("attempts") as batch:
        batch.drop_column("anchored_at")
        batch.drop_column("anchored_count")
