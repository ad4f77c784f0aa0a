"""Inbox items group by subject (updates) and keep their app-written texts as message ids (message)

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-04 17:30:00

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    # Rows from before keep message NULL: the inbox shows their title as it was sent.
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('subject', sa.String(length=40), nullable=True))
        batch_op.add_column(sa.Column('updates', sa.Integer(), server_default='1', nullable=False))
        batch_op.add_column(sa.Column('message', sa.JSON(), nullable=True))
        batch_op.create_index(batch_op.f('ix_inbox_item_subject'), ['subject'], unique=False)


def downgrade():
    with op.batch_alter_table('inbox_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_inbox_item_subject'))
        batch_op.drop_column('message')
        batch_op.drop_column('updates')
        batch_op.drop_column('subject')
