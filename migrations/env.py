import logging
import re
from logging.config import fileConfig
from pathlib import Path

from alembic import context
from flask import current_app

from app.extensions import for_this_database

# this is the Alembic Config object, which provides
# access to the values within the .ini file in use.
config = context.config

# Interpret the config file for Python logging.
# This line sets up loggers basically.
fileConfig(config.config_file_name, disable_existing_loggers=False)
logger = logging.getLogger('alembic.env')


def get_engine():
    return current_app.extensions['migrate'].db.engine


def get_engine_url():
    try:
        return get_engine().url.render_as_string(hide_password=False).replace(
            '%', '%%')
    except AttributeError:
        return str(get_engine().url).replace('%', '%%')


# add your model's MetaData object here
# for 'autogenerate' support
# from myapp import mymodel
# target_metadata = mymodel.Base.metadata
config.set_main_option('sqlalchemy.url', get_engine_url())
target_db = current_app.extensions['migrate'].db

# other values from the config, defined by the needs of env.py,
# can be acquired:
# my_important_option = config.get_main_option("my_important_option")
# ... etc.


def get_metadata():
    if hasattr(target_db, 'metadatas'):
        return target_db.metadatas[None]
    return target_db.metadata


def render_item(type_, obj, autogen_context):
    """Render the app's UTCDateTime as a plain DateTime, so migrations never import app code."""
    if type_ == "type" and type(obj).__name__ == "UTCDateTime":
        return "sa.DateTime()"
    return False


def next_revision_id(versions: Path) -> str:
    """The number after the highest NNNN_ file in versions/: revision ids are 0014, 0015 … (migrations/README)."""
    numbers = [int(m.group(1)) for path in versions.glob('*.py') if (m := re.match(r'(\d{4})_', path.name))]
    return f'{max(numbers, default=0) + 1:04d}'


def process_revision_directives(migration_context, revision, directives):
    """Number every new revision, and write none when autogenerate finds no change."""
    script = directives[0]
    if getattr(config.cmd_opts, 'autogenerate', False) and script.upgrade_ops.is_empty():
        # reference: http://alembic.zzzcomputing.com/en/latest/cookbook.html
        directives[:] = []
        logger.info('No changes in schema detected.')
        return
    if not re.fullmatch(r'\d{4}', script.rev_id):  # a four-digit --rev-id given by hand is kept
        script.rev_id = next_revision_id(Path(context.script.versions))


def run_migrations_offline():
    """Run migrations in 'offline' mode.

    This configures the context with just a URL
    and not an Engine, though an Engine is acceptable
    here as well.  By skipping the Engine creation
    we don't even need a DBAPI to be available.

    Calls to context.execute() here emit the given string to the
    script output.

    """
    url = config.get_main_option("sqlalchemy.url")
    context.configure(
        url=url, target_metadata=get_metadata(), literal_binds=True
    )

    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online():
    """Run migrations in 'online' mode.

    In this scenario we need to create an Engine
    and associate a connection with the context.

    """

    conf_args = dict(current_app.extensions['migrate'].configure_args)
    conf_args.setdefault('process_revision_directives', process_revision_directives)

    connectable = get_engine()

    with connectable.connect() as connection:
        # indexes declared for one database only (ddl_if) are compared on that database only
        conf_args.setdefault('include_object', for_this_database(connection.dialect.name))
        context.configure(
            connection=connection,
            target_metadata=get_metadata(),
            render_item=render_item,
            **conf_args
        )

        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
