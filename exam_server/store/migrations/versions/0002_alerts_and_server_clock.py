"""alerts kept for the minutes; the server's last-alive time for outage credit

Revision ID: 0002
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "alerts",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=True),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("type", sa.String(length=32), nullable=False),
        sa.Column("category", sa.String(length=16), nullable=False),
        sa.Column("detail", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_alerts_attempt_id_attempts")),
        sa.ForeignKeyConstraint(["session_id"], ["exam_sessions.id"], name=op.f("fk_alerts_session_id_exam_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_alerts")),
    )
    op.create_index(op.f("ix_alerts_session_id"), "alerts", ["session_id"], unique=False)
    op.create_table(
        "server_clock",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("last_alive_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_server_clock")),
    )


def downgrade() -> None:
    op.drop_table("server_clock")
    op.drop_index(op.f("ix_alerts_session_id"), table_name="alerts")
    op.drop_table("alerts")
