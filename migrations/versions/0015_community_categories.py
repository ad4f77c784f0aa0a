"""Community.disabled_categories: the problem categories a community does not use (empty: all)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 14:15:00

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.add_column(sa.Column('disabled_categories', sa.Text(), server_default='', nullable=False))


def downgrade():
    with op.batch_alter_table('community', schema=None) as batch_op:
        batch_op.drop_column('disabled_categories')
