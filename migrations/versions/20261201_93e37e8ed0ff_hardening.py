"""Hardening: session versions, who granted roles, login failures, token expiry, form-start
clients, and an append-only audit log enforced by the database.

- users.session_version: part of the Flask-Login id; bumped on logout, password change, role
  change and deactivation, so every session cookie issued before is refused.
- users.created_by_id, role_granted_by_id, role_granted_at: who created the account, who gave it
  its current role and when (the four-eyes rule of deletions reads them). Plain ids, no foreign
  key: a restore inserts users by id, and a user may be promoted by one created after them.
- users.failed_logins, last_failed_login_at: the login back-off.
- api_tokens.expires_at: tokens expire.
- form_starts.client_hash: a form start counts once per client and survey in a time window.
- Triggers that refuse UPDATE and DELETE on audit_log (and TRUNCATE on PostgreSQL), whoever
  sends them. A later migration that rebuilds audit_log in SQLite batch mode drops them and must
  create them again (AUDIT_TRIGGERS_SQLITE).

Revision ID: 93e37e8ed0ff
Revises: bd7895d14167
Create Date: 2026-12-01 03:00:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '93e37e8ed0ff'
down_revision = 'bd7895d14167'
branch_labels = None
depends_on = None

AUDIT_TRIGGERS_SQLITE = (
    "CREATE TRIGGER audit_log_no_update BEFORE UPDATE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: UPDATE refused'); END",
    "CREATE TRIGGER audit_log_no_delete BEFORE DELETE ON audit_log "
    "BEGIN SELECT RAISE(ABORT, 'audit_log is append-only: DELETE refused'); END",
)
AUDIT_TRIGGERS_POSTGRESQL = (
    "CREATE FUNCTION audit_log_append_only() RETURNS trigger LANGUAGE plpgsql AS $$ "
    "BEGIN RAISE EXCEPTION 'audit_log is append-only: % refused', TG_OP; END $$",
    "CREATE TRIGGER audit_log_append_only BEFORE UPDATE OR DELETE ON audit_log "
    "FOR EACH ROW EXECUTE FUNCTION audit_log_append_only()",
    "CREATE TRIGGER audit_log_no_truncate BEFORE TRUNCATE ON audit_log "
    "FOR EACH STATEMENT EXECUTE FUNCTION audit_log_append_only()",
)


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('session_version', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('created_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('role_granted_by_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('role_granted_at', sa.DateTime(), nullable=True))
        batch_op.add_column(sa.Column('failed_logins', sa.Integer(), nullable=False, server_default='0'))
        batch_op.add_column(sa.Column('last_failed_login_at', sa.DateTime(), nullable=True))
    # Accounts made before: their role counts from their creation.
    op.execute("UPDATE users SET role_granted_at = created_at")

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.add_column(sa.Column('expires_at', sa.DateTime(), nullable=True))

    with op.batch_alter_table('form_starts', schema=None) as batch_op:
        batch_op.add_column(sa.Column('client_hash', sa.String(length=64), nullable=True))
        batch_op.create_index('ix_form_starts_survey_client', ['survey_id', 'client_hash', 'started_at'], unique=False)

    triggers = AUDIT_TRIGGERS_POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else AUDIT_TRIGGERS_SQLITE
    for statement in triggers:
        op.execute(statement)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute("DROP TRIGGER audit_log_no_truncate ON audit_log")
        op.execute("DROP TRIGGER audit_log_append_only ON audit_log")
        op.execute("DROP FUNCTION audit_log_append_only()")
    else:
        op.execute("DROP TRIGGER audit_log_no_update")
        op.execute("DROP TRIGGER audit_log_no_delete")

    with op.batch_alter_table('form_starts', schema=None) as batch_op:
        batch_op.drop_index('ix_form_starts_survey_client')
        batch_op.drop_column('client_hash')

    with op.batch_alter_table('api_tokens', schema=None) as batch_op:
        batch_op.drop_column('expires_at')

    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_column('last_failed_login_at')
        batch_op.drop_column('failed_logins')
        batch_op.drop_column('role_granted_at')
        batch_op.drop_column('role_granted_by_id')
        batch_op.drop_column('created_by_id')
        batch_op.drop_column('session_version')
