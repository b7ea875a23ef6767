"""Only answers to demographic questions in the (survey, question, code) index.

Quotas and fieldwork breakdowns count responses by (question, code) of demographic questions
only, but every answer was in the index: each submission's twenty-odd rows landed on as many
index pages, the largest part of its write. A new column ``answers.demographic`` (filled here
from each response's definition version) marks the rows the partial index keeps.

Revision ID: ba150b3f3c1b
Revises: 164188d8be87
Create Date: 2026-11-27 11:01:16.560711

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'ba150b3f3c1b'
down_revision = '164188d8be87'
branch_labels = None
depends_on = None

versions = sa.table(
    "survey_versions", sa.column("id", sa.Integer), sa.column("definition", sa.JSON)
)
responses = sa.table("responses", sa.column("id", sa.Integer), sa.column("version_id", sa.Integer))
answers = sa.table(
    "answers",
    sa.column("response_id", sa.Integer),
    sa.column("question", sa.String),
    sa.column("demographic", sa.Boolean),
)


def upgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('demographic', sa.Boolean(), nullable=False, server_default=sa.false())
        )
    conn = op.get_bind()
    for version_id, definition in conn.execute(sa.select(versions.c.id, versions.c.definition)):
        keys = [q["key"] for q in definition.get("questions", []) if q.get("type") == "demographic"]
        if keys:
            conn.execute(
                answers.update()
                .where(
                    answers.c.question.in_(keys),
                    answers.c.response_id.in_(
                        sa.select(responses.c.id).where(responses.c.version_id == version_id)
                    ),
                )
                .values(demographic=True)
            )
    with op.batch_alter_table('answers', schema=None) as batch_op:
        # Every writer says whether a row is demographic: no default from here on.
        batch_op.alter_column('demographic', server_default=None)
        batch_op.drop_index(batch_op.f('ix_answers_survey_question_code'))
        batch_op.drop_index(batch_op.f('ix_answers_response_id'))
        batch_op.create_index(
            'ix_answers_response_question',
            ['response_id', 'question', 'code', 'number'],
            unique=False,
        )
        batch_op.create_index(
            'ix_answers_demographic_cells',
            ['survey_id', 'question', 'code'],
            unique=False,
            sqlite_where=sa.text('demographic = 1'),
            postgresql_where=sa.text('demographic'),
        )


def downgrade():
    with op.batch_alter_table('answers', schema=None) as batch_op:
        batch_op.drop_index('ix_answers_demographic_cells')
        batch_op.drop_index('ix_answers_response_question')
        batch_op.create_index(batch_op.f('ix_answers_response_id'), ['response_id'], unique=False)
        batch_op.create_index(
            batch_op.f('ix_answers_survey_question_code'),
            ['survey_id', 'question', 'code'],
            unique=False,
        )
        batch_op.drop_column('demographic')
