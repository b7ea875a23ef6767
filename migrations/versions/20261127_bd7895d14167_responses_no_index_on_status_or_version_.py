"""Responses: no index on status or on version alone.

Every query that filters responses by status or version also names the survey, and
ix_responses_survey_status_duration (or the survey's own rows) serves it; versions are never
deleted. Each index cost every submission a page written to the WAL and a path read back.

Revision ID: bd7895d14167
Revises: ba150b3f3c1b
Create Date: 2026-11-27 11:38:23.166502

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'bd7895d14167'
down_revision = 'ba150b3f3c1b'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_responses_status'))
        batch_op.drop_index(batch_op.f('ix_responses_version_id'))



def downgrade():
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responses_version_id'), ['version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_responses_status'), ['status'], unique=False)

