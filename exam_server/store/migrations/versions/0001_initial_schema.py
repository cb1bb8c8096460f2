"""initial schema

Revision ID: 0001
Revises: 
Create Date: 2026-11-29 21:28:30.701147
"""
from alembic import op
import sqlalchemy as sa


revision = '0001'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('banks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_banks')),
    sa.UniqueConstraint('code', name=op.f('uq_banks_code'))
    )
    op.create_table('exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('blueprint_json', sa.Text(), nullable=False),
    sa.Column('blueprint_toml', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exams')),
    sa.UniqueConstraint('code', name=op.f('uq_exams_code'))
    )
    op.create_table('staff_users',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('username', sa.String(length=64), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=16), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_users')),
    sa.UniqueConstraint('username', name=op.f('uq_staff_users_username'))
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('action', sa.String(length=64), nullable=False),
    sa.Column('target', sa.String(length=128), nullable=False),
    sa.Column('detail_json', sa.Text(), nullable=False),
    sa.Column('remote_addr', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_audit_log_user_id_staff_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_audit_log'))
    )
    op.create_table('bank_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_id', sa.Integer(), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('format', sa.String(length=32), nullable=False),
    sa.Column('source_name', sa.String(length=255), nullable=False),
    sa.Column('content_sha256', sa.String(length=64), nullable=False),
    sa.Column('item_count', sa.Integer(), nullable=False),
    sa.Column('categories_json', sa.Text(), nullable=False),
    sa.Column('report_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.ForeignKeyConstraint(['bank_id'], ['banks.id'], name=op.f('fk_bank_versions_bank_id_banks')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bank_versions')),
    sa.UniqueConstraint('bank_id', 'version', name=op.f('uq_bank_versions_bank_id_version'))
    )
    op.create_table('exam_sessions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('token', sa.String(length=32), nullable=False),
    sa.Column('seed', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('bank_versions_json', sa.Text(), nullable=False),
    sa.Column('created_at', sa.BigInteger(), nullable=False),
    sa.Column('closed_at', sa.BigInteger(), nullable=True),
    sa.Column('published_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['exam_id'], ['exams.id'], name=op.f('fk_exam_sessions_exam_id_exams')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_exam_sessions')),
    sa.UniqueConstraint('token', name=op.f('uq_exam_sessions_token'))
    )
    op.create_table('assets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_version_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=128), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['bank_version_id'], ['bank_versions.id'], name=op.f('fk_assets_bank_version_id_bank_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_assets')),
    sa.UniqueConstraint('bank_version_id', 'name', name=op.f('uq_assets_bank_version_id_name'))
    )
    op.create_table('candidates',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('participant_number', sa.String(length=64), nullable=False),
    sa.Column('name', sa.String(length=255), nullable=False),
    sa.Column('nip', sa.String(length=32), nullable=False),
    sa.Column('seat', sa.String(length=32), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_candidates_session_id_exam_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_candidates')),
    sa.UniqueConstraint('session_id', 'participant_number', name=op.f('uq_candidates_session_id_participant_number'))
    )
    op.create_table('items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('bank_version_id', sa.Integer(), nullable=False),
    sa.Column('ordinal', sa.Integer(), nullable=False),
    sa.Column('category', sa.String(length=255), nullable=False),
    sa.Column('option_count', sa.Integer(), nullable=False),
    sa.Column('content', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['bank_version_id'], ['bank_versions.id'], name=op.f('fk_items_bank_version_id_bank_versions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_items')),
    sa.UniqueConstraint('bank_version_id', 'ordinal', name=op.f('uq_items_bank_version_id_ordinal'))
    )
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.create_index('ix_items_version_category', ['bank_version_id', 'category'], unique=False)

    op.create_table('session_proctors',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_session_proctors_session_id_exam_sessions')),
    sa.ForeignKeyConstraint(['user_id'], ['staff_users.id'], name=op.f('fk_session_proctors_user_id_staff_users')),
    sa.PrimaryKeyConstraint('session_id', 'user_id', name=op.f('pk_session_proctors'))
    )
    op.create_table('attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('candidate_id', sa.Integer(), nullable=False),
    sa.Column('form_json', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('duration_ms', sa.BigInteger(), nullable=False),
    sa.Column('started_at', sa.BigInteger(), nullable=True),
    sa.Column('extension_ms', sa.BigInteger(), nullable=False),
    sa.Column('paused_ms', sa.BigInteger(), nullable=False),
    sa.Column('paused_since', sa.BigInteger(), nullable=True),
    sa.Column('deadline_at', sa.BigInteger(), nullable=True),
    sa.Column('ended_at', sa.BigInteger(), nullable=True),
    sa.Column('login_generation', sa.Integer(), nullable=False),
    sa.Column('connected_sid', sa.String(length=64), nullable=True),
    sa.Column('connected_node', sa.String(length=64), nullable=True),
    sa.Column('last_seen_at', sa.BigInteger(), nullable=True),
    sa.Column('section_points_json', sa.Text(), nullable=False),
    sa.Column('answered_count', sa.Integer(), nullable=False),
    sa.Column('flagged_count', sa.Integer(), nullable=False),
    sa.Column('violations', sa.Integer(), nullable=False),
    sa.Column('event_count', sa.Integer(), nullable=False),
    sa.Column('last_event_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['candidate_id'], ['candidates.id'], name=op.f('fk_attempts_candidate_id_candidates')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_attempts_session_id_exam_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempts')),
    sa.UniqueConstraint('candidate_id', name=op.f('uq_attempts_candidate_id'))
    )
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_attempts_deadline_at'), ['deadline_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_attempts_session_id'), ['session_id'], unique=False)

    op.create_table('attempt_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('at', sa.BigInteger(), nullable=False),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('data_json', sa.Text(), nullable=False),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_attempt_events_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_attempt_events')),
    sa.UniqueConstraint('attempt_id', 'number', name=op.f('uq_attempt_events_attempt_id_number'))
    )
    op.create_table('responses',
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('choice', sa.String(length=4), nullable=True),
    sa.Column('seq', sa.BigInteger(), nullable=False),
    sa.Column('points', sa.String(length=32), nullable=False),
    sa.Column('flagged', sa.Boolean(), nullable=False),
    sa.Column('answered_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_responses_attempt_id_attempts')),
    sa.PrimaryKeyConstraint('attempt_id', 'position', name=op.f('pk_responses'))
    )
    op.create_table('results',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('document_json', sa.Text(), nullable=False),
    sa.Column('signature', sa.String(length=128), nullable=True),
    sa.Column('key_id', sa.String(length=64), nullable=True),
    sa.Column('published_at', sa.BigInteger(), nullable=True),
    sa.ForeignKeyConstraint(['attempt_id'], ['attempts.id'], name=op.f('fk_results_attempt_id_attempts')),
    sa.ForeignKeyConstraint(['session_id'], ['exam_sessions.id'], name=op.f('fk_results_session_id_exam_sessions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_results')),
    sa.UniqueConstraint('attempt_id', name=op.f('uq_results_attempt_id'))
    )
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_results_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('results', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_results_session_id'))

    op.drop_table('results')
    op.drop_table('responses')
    op.drop_table('attempt_events')
    with op.batch_alter_table('attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_attempts_session_id'))
        batch_op.drop_index(batch_op.f('ix_attempts_deadline_at'))

    op.drop_table('attempts')
    op.drop_table('session_proctors')
    with op.batch_alter_table('items', schema=None) as batch_op:
        batch_op.drop_index('ix_items_version_category')

    op.drop_table('items')
    op.drop_table('candidates')
    op.drop_table('assets')
    op.drop_table('exam_sessions')
    op.drop_table('bank_versions')
    op.drop_table('audit_log')
    op.drop_table('staff_users')
    op.drop_table('exams')
    op.drop_table('banks')
