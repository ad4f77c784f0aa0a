"""Joining: join requests from a building's poster, the join codes posters used to hold, password resets

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-04 14:15:48.758658

"""
import sqlalchemy as sa
from alembic import op


# revision identifiers, used by Alembic.
revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('password_reset',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_at', sa.DateTime(), nullable=False),
    sa.Column('code_hash', sa.String(length=255), nullable=True),
    sa.Column('code_given_at', sa.DateTime(), nullable=True),
    sa.Column('code_given_by_id', sa.Integer(), nullable=True),
    sa.Column('wrong_tries', sa.Integer(), nullable=False),
    sa.Column('used_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['code_given_by_id'], ['user.id'], name=op.f('fk_password_reset_code_given_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_password_reset_user_id_user'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_password_reset'))
    )
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_password_reset_user_id'), ['user_id'], unique=False)

    op.create_table('retired_join_code',
    sa.Column('code', sa.String(length=32), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('retired_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_retired_join_code_building_id_building'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('code', name=op.f('pk_retired_join_code'))
    )
    with op.batch_alter_table('retired_join_code', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retired_join_code_building_id'), ['building_id'], unique=False)

    op.create_table('join_request',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('building_id', sa.Integer(), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=50), nullable=False),
    sa.Column('phone', sa.String(length=20), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=True),
    sa.Column('wants_card', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('pending', 'approved', 'declined', name='joinstatus', native_enum=False, length=10), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('household_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['building_id'], ['building.id'], name=op.f('fk_join_request_building_id_building')),
    sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'], name=op.f('fk_join_request_decided_by_id_user'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['household_id'], ['household.id'], name=op.f('fk_join_request_household_id_household')),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('fk_join_request_room_id_room')),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('fk_join_request_user_id_user'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_join_request'))
    )
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_join_request_building_id'), ['building_id'], unique=False)
        batch_op.create_index('uq_join_request_pending_phone', ['phone'], unique=True, sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))



def downgrade():
    with op.batch_alter_table('join_request', schema=None) as batch_op:
        batch_op.drop_index('uq_join_request_pending_phone', sqlite_where=sa.text("status = 'pending'"), postgresql_where=sa.text("status = 'pending'"))
        batch_op.drop_index(batch_op.f('ix_join_request_building_id'))

    op.drop_table('join_request')
    with op.batch_alter_table('retired_join_code', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retired_join_code_building_id'))

    op.drop_table('retired_join_code')
    with op.batch_alter_table('password_reset', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_password_reset_user_id'))

    op.drop_table('password_reset')
