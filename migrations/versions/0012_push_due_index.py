"""Push deliveries: one partial index of the rows still to send, for the worker's claim

Replaces the indexes on status and on next_attempt_at: a claim through the status index sorted
every pending row, one through next_attempt_at stepped over every row ever sent.

Revision ID: push_0002
Revises: issues_0002
Create Date: 2026-11-23 12:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'push_0002'
down_revision = 'issues_0002'
branch_labels = None
depends_on = None

DUE = "status IN ('pending', 'sending')"


def upgrade():
    with op.batch_alter_table('push_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_push_delivery_status')
        batch_op.drop_index('ix_push_delivery_next_attempt_at')
        batch_op.create_index('ix_push_delivery_due', ['next_attempt_at', 'id'], unique=False,
                              sqlite_where=sa.text(DUE), postgresql_where=sa.text(DUE))


def downgrade():
    with op.batch_alter_table('push_delivery', schema=None) as batch_op:
        batch_op.drop_index('ix_push_delivery_due', sqlite_where=sa.text(DUE), postgresql_where=sa.text(DUE))
        batch_op.create_index('ix_push_delivery_next_attempt_at', ['next_attempt_at'], unique=False)
        batch_op.create_index('ix_push_delivery_status', ['status'], unique=False)
