"""Rooms: a building's flats whether or not anyone is on record there; each household's room is filled in

Revision ID: 0014
Revises: issues_0003
Create Date: 2026-12-04 14:03:15.365131

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0014'
down_revision = 'issues_0003'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('unit', sa.String(length=20), nullable=False),
    sa.Column('floor', sa.Integer(), nullable=True),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_room_building_id_building')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_room')),
    sa.UniqueConstraint('building_id', 'unit', 'number', name=op.f('uq_room_building_id'))
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_building_id'), ['building_id'], unique=False)

    # The ledger already names its rooms: each household's becomes one of the building's rooms.
    op.execute('INSERT INTO room (building_id, unit, floor, number) '
               'SELECT building_id, unit, floor, room FROM household')


def downgrade():
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_building_id'))

    op.drop_table('room')
