"""Door-to-door votes say who answered the door (convention_vote_history.answered_by)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('convention_vote_history', schema=None) as batch_op:
        batch_op.add_column(sa.Column('answered_by', sa.String(length=60), nullable=True))


def downgrade():
    with op.batch_alter_table('convention_vote_history', schema=None) as batch_op:
        batch_op.drop_column('answered_by')
