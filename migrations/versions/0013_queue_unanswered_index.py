"""Problem queue: an index for its first tier, unanswered problems past their deadline, in deadline order

Through ix_problem_status_due the tier read every open problem of the street past its deadline and
sorted them (the status list breaks the index's order); the new index is walked in order and left at
one page. Each database gets the form its planner uses (see app/problems/models.py); PostgreSQL also
gets statistics on status and first_response_at together: a problem without an answer is nearly
always still open, and taken apart the two conditions made it expect ten rows and sort.

Revision ID: issues_0003
Revises: push_0002
Create Date: 2026-12-01 22:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'issues_0003'
down_revision = 'push_0002'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_problem_unanswered_due_pg', 'problem',
                        ['feedback_due_at', 'status', 'building_id', 'is_deleted', 'id'], unique=False,
                        postgresql_where=sa.text('first_response_at IS NULL'))
        op.execute('CREATE STATISTICS st_problem_status_answer (mcv) ON status, first_response_at FROM problem')
        op.execute('ANALYZE problem')
    else:
        with op.batch_alter_table('problem', schema=None) as batch_op:
            batch_op.create_index('ix_problem_unanswered_due',
                                  ['first_response_at', 'feedback_due_at', 'status', 'building_id', 'is_deleted'],
                                  unique=False)


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP STATISTICS st_problem_status_answer')
        op.drop_index('ix_problem_unanswered_due_pg', table_name='problem')
    else:
        with op.batch_alter_table('problem', schema=None) as batch_op:
            batch_op.drop_index('ix_problem_unanswered_due')
