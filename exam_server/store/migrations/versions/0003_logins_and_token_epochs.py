"""staff token epochs (logout ends every token); sessions can stop taking new logins

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("staff_users") as batch:
        batch.add_column(sa.Column("token_epoch", sa.Integer(), nullable=False, server_default="0"))
    with op.batch_alter_table("exam_sessions") as batch:
        batch.add_column(sa.Column("logins_open", sa.Boolean(), nullable=False, server_default=sa.true()))


def downgrade() -> None:
    with op.batch_alter_table("exam_sessions") as batch:
        batch.drop_column("logins_open")
    with op.batch_alter_table("staff_users") as batch:
        batch.drop_column("token_epoch")
