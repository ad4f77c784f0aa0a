"""Buildings: the index of a community's buildings holds their ids too (ix_building_community_id_id)

The queue reads the buildings of a street (its communities' buildings) in every page's statement. By
community_id alone, PostgreSQL had to read the building table for their ids, and at a district's 2,230
buildings chose to scan it whole, twice a page (0.2 ms each); with the id in the index it reads the
index alone (0.04 ms). It replaces the index of community_id alone, which it serves as well.

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-05 02:10:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index('ix_building_community_id_id', ['community_id', 'id'], unique=False)
        batch_op.drop_index('ix_building_community_id')


def downgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.create_index('ix_building_community_id', ['community_id'], unique=False)
        batch_op.drop_index('ix_building_community_id_id')
