"""surveys.data_version: a counter bumped in the transaction of every change to a survey's
responses or answers (submissions, exclusions, deletions, demo data), so the results cache can
tell whether its figures are current by reading one row instead of aggregating the responses.

Revision ID: a4d8e6f2c013
Revises: 5e7a2c9d1b44
Create Date: 2026-12-01 06:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a4d8e6f2c013'
down_revision = '5e7a2c9d1b44'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.add_column(sa.Column('data_version', sa.Integer(), nullable=False, server_default='0'))


def downgrade():
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_column('data_version')
