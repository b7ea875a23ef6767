"""Evaluations (绩效评价) and their versions.

Revision ID: 5e7a2c9d1b44
Revises: 5e3a9c1d7b20
Create Date: 2026-12-01 03:20:00

"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.dialects import sqlite


# revision identifiers, used by Alembic.
revision = '5e7a2c9d1b44'
down_revision = '5e3a9c1d7b20'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('evaluations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluations')),
    sa.UniqueConstraint('key', name=op.f('uq_evaluations_key'))
    )
    op.create_table('evaluation_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('evaluation_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('document', sa.JSON().with_variant(postgresql.JSONB(astext_type=sa.Text()), 'postgresql').with_variant(sqlite.JSON(), 'sqlite'), nullable=False),
    sa.Column('note', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_evaluation_versions_created_by_id_users')),
    sa.ForeignKeyConstraint(['evaluation_id'], ['evaluations.id'], name=op.f('fk_evaluation_versions_evaluation_id_evaluations')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_versions')),
    sa.UniqueConstraint('evaluation_id', 'number', name=op.f('uq_evaluation_versions_evaluation_id'))
    )
    with op.batch_alter_table('evaluation_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evaluation_versions_evaluation_id'), ['evaluation_id'], unique=False)


def downgrade():
    with op.batch_alter_table('evaluation_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evaluation_versions_evaluation_id'))
    op.drop_table('evaluation_versions')
    op.drop_table('evaluations')
