"""session hall: the room (ruang) a session sits in, optional

Revision ID: 0007
Revises: 0006
"""
from alembic import op
import sqlalchemy as sa

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exam_sessions") as batch:
        batch.add_column(sa.Column("hall", sa.String(length=100), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("exam_sessions") as batch:
        batch.drop_column("hall")
