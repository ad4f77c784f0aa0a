"""Buildings: problems_version, raised by the database whenever the building's problems or households are written

The staff desk keeps its counts and first cards between requests under the sum of these versions over
the buildings it reaches (app/problems/desk.py), read in a small statement instead of counting a
street's open problems on every page. Triggers raise it, so every way of writing a problem counts —
the pages, the sync engine's bulk inserts, the escalation worker, a restore, a hand-written UPDATE:
a problem inserted, updated or deleted, a household updated or deleted (for the building before and
after a move), and a building renamed or moved to another community.

Alembic's batch mode on SQLite rebuilds a table by copying it, which drops its triggers: a later
migration that rebuilds problem, household or building must create them again (create_triggers()).
tests/problems/test_desk_cache.py fails when one is missing.

Revision ID: 0028
Revises: 0027
Create Date: 2026-12-05 04:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '0028'
down_revision = '0027'
branch_labels = None
depends_on = None

BUMP = "UPDATE building SET problems_version = problems_version + 1 WHERE id = {row}.building_id"

POSTGRESQL = [
    f"""CREATE FUNCTION bump_problems_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        IF TG_OP <> 'INSERT' THEN {BUMP.format(row='OLD')}; END IF;
        IF TG_OP = 'INSERT' OR (TG_OP = 'UPDATE' AND NEW.building_id IS DISTINCT FROM OLD.building_id) THEN
            {BUMP.format(row='NEW')};
        END IF;
        RETURN NULL;
    END $$""",
    """CREATE FUNCTION bump_own_problems_version() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
        NEW.problems_version := OLD.problems_version + 1;
        RETURN NEW;
    END $$""",
    "CREATE TRIGGER problem_problems_version AFTER INSERT OR UPDATE OR DELETE ON problem "
    "FOR EACH ROW EXECUTE FUNCTION bump_problems_version()",
    # A household added changes no card (a problem that names it is a write of its own): not on insert,
    # so a ledger import of thousands of households pays nothing.
    "CREATE TRIGGER household_problems_version AFTER UPDATE OR DELETE ON household "
    "FOR EACH ROW EXECUTE FUNCTION bump_problems_version()",
    "CREATE TRIGGER building_problems_version BEFORE UPDATE OF name, community_id ON building FOR EACH ROW "
    "WHEN (OLD.name IS DISTINCT FROM NEW.name OR OLD.community_id IS DISTINCT FROM NEW.community_id) "
    "EXECUTE FUNCTION bump_own_problems_version()",
]

# SQLite has no trigger functions: one trigger per table and event. Its triggers do not fire each other
# (recursive_triggers is off), so building's own cannot loop.
SQLITE = [
    f"CREATE TRIGGER problem_inserted_problems_version AFTER INSERT ON problem BEGIN {BUMP.format(row='NEW')}; END",
    *[f"CREATE TRIGGER {table}_updated_problems_version AFTER UPDATE ON {table} BEGIN "
      f"UPDATE building SET problems_version = problems_version + 1 WHERE id IN (OLD.building_id, NEW.building_id); END"
      for table in ("problem", "household")],
    *[f"CREATE TRIGGER {table}_deleted_problems_version AFTER DELETE ON {table} BEGIN {BUMP.format(row='OLD')}; END"
      for table in ("problem", "household")],
    "CREATE TRIGGER building_problems_version AFTER UPDATE OF name, community_id ON building "
    "WHEN OLD.name IS NOT NEW.name OR OLD.community_id IS NOT NEW.community_id "
    "BEGIN UPDATE building SET problems_version = problems_version + 1 WHERE id = NEW.id; END",
]


def create_triggers():
    """The triggers that raise building.problems_version, in the database's own dialect."""
    for statement in POSTGRESQL if op.get_bind().dialect.name == 'postgresql' else SQLITE:
        op.execute(statement)


def upgrade():
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.add_column(sa.Column('problems_version', sa.Integer(), server_default='0', nullable=False))
    create_triggers()


def downgrade():
    if op.get_bind().dialect.name == 'postgresql':
        for table in ('problem', 'household', 'building'):
            op.execute(f'DROP TRIGGER {table}_problems_version ON {table}')
        op.execute('DROP FUNCTION bump_problems_version()')
        op.execute('DROP FUNCTION bump_own_problems_version()')
    else:
        for trigger in ('problem_inserted', 'problem_updated', 'problem_deleted', 'household_updated', 'household_deleted'):
            op.execute(f'DROP TRIGGER {trigger}_problems_version')
        op.execute('DROP TRIGGER building_problems_version')
    with op.batch_alter_table('building', schema=None) as batch_op:
        batch_op.drop_column('problems_version')
