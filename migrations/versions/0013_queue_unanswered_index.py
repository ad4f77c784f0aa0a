"""Problem queue: an index for its first tier, unanswered problems past their deadline, in deadline order

Through ix_problem_status_due the tier read every open problem of the street past its deadline and
sorted them (the status list breaks the index's order); this one is walked in order and left at one page.

Revision ID: issues_0003
Revises: push_0002
Create Date: 2026-12-01 22:40:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'issues_0003'
down_revision = 'push_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.create_index('ix_problem_unanswered_due',
                              ['first_response_at', 'feedback_due_at', 'status', 'building_id', 'is_deleted'], unique=False)


def downgrade():
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_unanswered_due')
