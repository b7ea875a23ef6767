"""Spent forms (a form turned away by a full quota cell cannot be posted again) and the note an
admin writes when deciding a deletion request.

Revision ID: 5e3a9c1d7b20
Revises: 93e37e8ed0ff
Create Date: 2026-12-01 03:10:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '5e3a9c1d7b20'
down_revision = '93e37e8ed0ff'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('spent_forms',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('submission_token', sa.String(length=64), nullable=False),
    sa.Column('reason', sa.String(length=32), nullable=False),
    sa.Column('spent_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_spent_forms_survey_id_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_spent_forms')),
    sa.UniqueConstraint('submission_token', name=op.f('uq_spent_forms_submission_token'))
    )
    with op.batch_alter_table('deletion_requests', schema=None) as batch_op:
        batch_op.add_column(sa.Column('decision_note', sa.Text(), nullable=True))


def downgrade():
    with op.batch_alter_table('deletion_requests', schema=None) as batch_op:
        batch_op.drop_column('decision_note')
    op.drop_table('spent_forms')
