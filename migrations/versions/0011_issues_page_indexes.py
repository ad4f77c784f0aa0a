"""Problem pages: indexes for the building feed's ORDER BY and the queue's page of ids

Revision ID: issues_0002
Revises: conventions_0002
Create Date: 2026-11-23 12:30:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'issues_0002'
down_revision = 'conventions_0002'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.create_index('ix_problem_building_activity', ['building_id', 'last_activity_at'], unique=False)
        batch_op.create_index('ix_problem_status_due',
                              ['status', 'feedback_due_at', 'first_response_at', 'building_id', 'is_deleted'], unique=False)


def downgrade():
    with op.batch_alter_table('problem', schema=None) as batch_op:
        batch_op.drop_index('ix_problem_status_due')
        batch_op.drop_index('ix_problem_building_activity')
