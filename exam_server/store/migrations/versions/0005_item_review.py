"""item review: retired items, key corrections of a session, superseded result revisions

Revision ID: 0005
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "item_retirements",
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_item_retirements_item_id_items")),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_item_retirements_user_id_staff_users")),
        sa.PrimaryKeyConstraint("item_id", name=op.f("pk_item_retirements")),
    )
    op.create_table(
        "item_corrections",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("item_id", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("user_id", sa.Integer(), nullable=True),
        sa.Column("action", sa.String(length=16), nullable=False),
        sa.Column("state", sa.LargeBinary(), nullable=False),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("changes_json", sa.Text(), nullable=False),
        sa.ForeignKeyConstraint(["item_id"], ["items.id"], name=op.f("fk_item_corrections_item_id_items")),
        sa.ForeignKeyConstraint(["session_id"], ["exam_sessions.id"],
                                name=op.f("fk_item_corrections_session_id_exam_sessions")),
        sa.ForeignKeyConstraint(["user_id"], ["staff_users.id"], name=op.f("fk_item_corrections_user_id_staff_users")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_item_corrections")),
    )
    op.create_index("ix_item_corrections_session_item", "item_corrections", ["session_id", "item_id"], unique=False)
    op.create_table(
        "result_revisions",
        sa.Column("id", sa.String(length=36), nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("revision", sa.Integer(), nullable=False),
        sa.Column("document_json", sa.Text(), nullable=False),
        sa.Column("signature", sa.String(length=128), nullable=False),
        sa.Column("key_id", sa.String(length=64), nullable=False),
        sa.Column("published_at", sa.BigInteger(), nullable=True),
        sa.Column("superseded_at", sa.BigInteger(), nullable=False),
        sa.Column("superseded_by", sa.String(length=36), nullable=False),
        sa.Column("correction_id", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_result_revisions_attempt_id_attempts")),
        sa.ForeignKeyConstraint(["correction_id"], ["item_corrections.id"],
                                name=op.f("fk_result_revisions_correction_id_item_corrections")),
        sa.ForeignKeyConstraint(["session_id"], ["exam_sessions.id"],
                                name=op.f("fk_result_revisions_session_id_exam_sessions")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_result_revisions")),
    )
    op.create_index(op.f("ix_result_revisions_attempt_id"), "result_revisions", ["attempt_id"], unique=False)
    op.create_index(op.f("ix_result_revisions_session_id"), "result_revisions", ["session_id"], unique=False)


def downgrade() -> None:
    op.drop_index(op.f("ix_result_revisions_session_id"), table_name="result_revisions")
    op.drop_index(op.f("ix_result_revisions_attempt_id"), table_name="result_revisions")
    op.drop_table("result_revisions")
    op.drop_index("ix_item_corrections_session_item", table_name="item_corrections")
    op.drop_table("item_corrections")
    op.drop_table("item_retirements")
