"""sites and a hub: enrolled sites, their commands, results and seals at the hub; the link, outbox and sealed sessions at a site

Revision ID: 0006
Revises: 0005
"""
from alembic import op
import sqlalchemy as sa

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("exam_sessions") as batch:
        batch.add_column(sa.Column("site_code", sa.String(length=64), nullable=True))
    op.create_table(
        "sites",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=64), nullable=False),
        sa.Column("name", sa.String(length=255), nullable=False),
        sa.Column("enrollment_hash", sa.String(length=64), nullable=False),
        sa.Column("enrollment_expires_at", sa.BigInteger(), nullable=True),
        sa.Column("public_key", sa.String(length=64), nullable=False),
        sa.Column("revoked_at", sa.BigInteger(), nullable=True),
        sa.Column("last_nonce", sa.BigInteger(), nullable=False),
        sa.Column("acked_position", sa.BigInteger(), nullable=False),
        sa.Column("backlog", sa.BigInteger(), nullable=False),
        sa.Column("last_seen_at", sa.BigInteger(), nullable=True),
        sa.Column("last_event_at", sa.BigInteger(), nullable=True),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_sites")),
        sa.UniqueConstraint("code", name=op.f("uq_sites_code")),
    )
    op.create_table(
        "site_commands",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_id", sa.Integer(), nullable=False),
        sa.Column("action", sa.String(length=32), nullable=False),
        sa.Column("body_json", sa.Text(), nullable=False),
        sa.Column("actor", sa.String(length=64), nullable=False),
        sa.Column("expires_at", sa.BigInteger(), nullable=False),
        sa.Column("state", sa.String(length=16), nullable=False),
        sa.Column("outcome_json", sa.Text(), nullable=False),
        sa.Column("created_at", sa.BigInteger(), nullable=False),
        sa.ForeignKeyConstraint(["site_id"], ["sites.id"], name=op.f("fk_site_commands_site_id_sites")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_site_commands")),
    )
    with op.batch_alter_table("site_commands") as batch:
        batch.create_index("ix_site_commands_site_state", ["site_id", "state"], unique=False)
    op.create_table(
        "site_results",
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("document_json", sa.Text(), nullable=False),
        sa.Column("mismatch", sa.Boolean(), nullable=False),
        sa.Column("resolved_at", sa.BigInteger(), nullable=True),
        sa.ForeignKeyConstraint(["attempt_id"], ["attempts.id"], name=op.f("fk_site_results_attempt_id_attempts")),
        sa.PrimaryKeyConstraint("attempt_id", name=op.f("pk_site_results")),
    )
    op.create_table(
        "link_state",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("site_code", sa.String(length=64), nullable=False),
        sa.Column("hub_url", sa.String(length=512), nullable=False),
        sa.Column("acked_position", sa.BigInteger(), nullable=False),
        sa.Column("last_nonce", sa.BigInteger(), nullable=False),
        sa.Column("last_ok_at", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_link_state")),
    )
    op.create_table(
        "site_outbox",
        sa.Column("position", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("attempt_id", sa.Integer(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("at", sa.BigInteger(), nullable=False),
        sa.Column("kind", sa.String(length=24), nullable=False),
        sa.Column("data_json", sa.Text(), nullable=False),
        sa.Column("prev_hash", sa.String(length=64), nullable=False),
        sa.Column("hash", sa.String(length=64), nullable=False),
        sa.Column("state_json", sa.Text(), nullable=False),
        sa.PrimaryKeyConstraint("position", name=op.f("pk_site_outbox")),
    )
    op.create_table(
        "session_seals",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("key_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("code_sealed", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_json", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=True),
        sa.Column("site_opened_at", sa.BigInteger(), nullable=True),
        sa.Column("site_opened_how", sa.String(length=16), nullable=False),
        sa.ForeignKeyConstraint(["session_id"], ["exam_sessions.id"],
                                name=op.f("fk_session_seals_session_id_exam_sessions")),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_session_seals")),
    )
    op.create_table(
        "sealed_sessions",
        sa.Column("session_id", sa.Integer(), nullable=False),
        sa.Column("token", sa.String(length=32), nullable=False),
        sa.Column("blob", sa.LargeBinary(), nullable=False),
        sa.Column("wrapped_json", sa.Text(), nullable=False),
        sa.Column("opened_at", sa.BigInteger(), nullable=True),
        sa.Column("opened_how", sa.String(length=16), nullable=False),
        sa.Column("reported", sa.Boolean(), nullable=False),
        sa.Column("failures", sa.Integer(), nullable=False),
        sa.Column("locked_until", sa.BigInteger(), nullable=True),
        sa.PrimaryKeyConstraint("session_id", name=op.f("pk_sealed_sessions")),
        sa.UniqueConstraint("token", name=op.f("uq_sealed_sessions_token")),
    )


def downgrade() -> None:
    op.drop_table("sealed_sessions")
    op.drop_table("session_seals")
    op.drop_table("site_outbox")
    op.drop_table("link_state")
    op.drop_table("site_results")
    op.drop_table("site_commands")
    op.drop_table("sites")
    with op.batch_alter_table("exam_sessions") as batch:
        batch.drop_column("site_code")
