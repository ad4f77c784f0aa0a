"""The desk's problem columns: problem.assignee_id (a named colleague) and problem.merged_into_id (a duplicate's home)

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 17:20:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('merged_into_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_problem_assignee_id_user'), 'user', ['assignee_id'], ['id'])
        batch_op.create_foreign_key(batch_op.f('fk_problem_merged_into_id_problem'), 'problem', ['merged_into_id'], ['id'])


def downgrade():
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_problem_merged_into_id_problem'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_problem_assignee_id_user'), type_='foreignkey')
        batch_op.drop_column('merged_into_id')
        batch_op.drop_column('assignee_id')
