"""Flask extensions, created unbound and bound to an app in create_app()."""
from flask_babel import Babel
from flask_compress import Compress
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from flask_login import LoginManager
from flask_migrate import Migrate
from flask_sqlalchemy import SQLAlchemy
from flask_wtf.csrf import CSRFProtect
from sqlalchemy import MetaData
from sqlalchemy.orm import DeclarativeBase

# Stable constraint names let Alembic's SQLite batch mode alter tables (Indico does the same).
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def for_this_database(dialect: str):
    """Alembic's include_object: leave out what a model declares for another database only (ddl_if).

    Some indexes exist in one form per database (app/problems/models.py); migrations/env.py and
    tests/test_migrations.py compare the models with a database through this same rule.
    """

    def include(obj, name, kind, reflected, compare_to):
        rule = getattr(obj, "_ddl_if", None)
        if rule is None or rule.dialect is None:
            return True
        return dialect in ((rule.dialect,) if isinstance(rule.dialect, str) else rule.dialect)

    return include


class Base(DeclarativeBase):
    """Declarative base whose metadata carries the naming convention."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)
migrate = Migrate()
login_manager = LoginManager()
csrf = CSRFProtect()
babel = Babel()
limiter = Limiter(key_func=get_remote_address)
compress = Compress()
