"""Problem queue: an index of the open problems by building (PostgreSQL), for the desk's counts

The queue's counts per tier (app/problems/queries.py desk_summary) read every open problem of the
whole database through ix_problem_status_due and kept those of the asker's buildings: at ten times the
data (a district of ten streets) 18,922 index entries for a street's 1,869, 4.2 ms. Through this partial
index PostgreSQL reads each of the street's buildings' open problems alone, without visiting the table
(0.9 ms at ten times the data, as at one). SQLite keeps its plan (no statistics to weigh a partial index).

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 21:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.create_index('ix_problem_open_building_pg', 'problem',
                        ['building_id', 'feedback_due_at', 'first_response_at', 'level', 'status'], unique=False,
                        postgresql_where=sa.text("status IN ('reported', 'acknowledged', 'in_progress', 'escalated') "
                                                 "AND is_deleted IS false"))


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        op.drop_index('ix_problem_open_building_pg', table_name='problem')
