"""site presence and alerts at the hub: which site candidates are connected, and the site alerts taken

Revision ID: 0008
Revises: 0007
"""
from alembic import op
import sqlalchemy as sa

revision = "0008"
down_revision = "0007"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("sites") as batch:
        batch.add_column(sa.Column("alert_position", sa.BigInteger(), nullable=False, server_default="0"))
    op.create_table(
        "site_presence",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("connected", sa.Boolean(), nullable=False),
        sa.Column("changed_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_site_presence_attempt_id_attempts")),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_presence_site_id_sites")),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_site_presence")),
    )
    with op.batch_alter_table("site_presence") as batch:
        batch.create_index(batch.f("ix_site_presence_site_id"), ["site_id"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("site_presence") as batch:
        batch.drop_index(batch.f("ix_site_presence_site_id"))
    op.drop_table("site_presence")
    with op.batch_alter_table("sites") as batch:
        batch.drop_column("alert_position")
