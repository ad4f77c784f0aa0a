"""Application factory. Nothing here runs at import time; create_app() builds an app."""
from __future__ import annotations

import os
from pathlib import Path

from flask import Flask

from app.config import Config, apply_settings, instance_secret, misspelt_settings, normalise_database_url, settings_from

PROJECT_ROOT = Path(__file__).resolve().parent.parent


def create_app(config: type[Config] | None = None, **overrides) -> Flask:
    """Build the Flask app from a config class, the settings in the environment and optional overrides (tests).

    A malformed setting (app/config.py SETTINGS) stops here with a SettingError naming it.
    """
    settings = settings_from(os.environ)
    app = Flask(
        __name__,
        instance_relative_config=True,
        instance_path=settings["SIHEYUAN_INSTANCE"] or str(PROJECT_ROOT / "instance"),
        template_folder=str(PROJECT_ROOT / "templates"),
        static_folder=str(PROJECT_ROOT / "static"),
    )
    register_input_checks(app)
    app.config.from_object(config or Config)
    apply_settings(app.config, settings, config or Config)
    app.config.update(overrides)
    app.config.setdefault("REMEMBER_COOKIE_SECURE", app.config["SESSION_COOKIE_SECURE"])
    for given, meant in misspelt_settings(os.environ):
        app.logger.warning("%s is set in the environment but is no setting: did you mean %s? (app/config.py)", given, meant)
    Path(app.instance_path).mkdir(parents=True, exist_ok=True)
    configure_secrets_and_database(app)
    register_extensions(app)
    register_features(app)
    register_request_hooks(app)
    register_error_handlers_and_cli(app)
    return app


def register_input_checks(app: Flask) -> None:
    """Bounded `<int:…>` URLs and query/form/JSON input (app/inputs.py); before any route is added."""
    from app.inputs import BoundedIntConverter, InputRequest

    app.url_map.converters["int"] = BoundedIntConverter
    app.request_class = InputRequest


def configure_secrets_and_database(app: Flask) -> None:
    """SECRET_KEY from the environment or instance/; SQLite in instance/ unless DATABASE_URL."""
    if not app.config.get("SECRET_KEY"):
        app.config["SECRET_KEY"] = instance_secret(app.instance_path, "secret_key")
    url = app.config.get("SQLALCHEMY_DATABASE_URI") or app.config.get("DATABASE_URL")
    if not url:
        url = "sqlite:///" + str(Path(app.instance_path) / "siheyuan.db")
    app.config["SQLALCHEMY_DATABASE_URI"] = normalise_database_url(url)
    app.config.setdefault("UPLOAD_FOLDER", str(Path(app.instance_path) / "uploads"))


def register_extensions(app: Flask) -> None:
    """Bind the unbound extensions of app/extensions.py to this app."""
    from app import i18n, ratelimit
    from app.auth.services import user_for_session
    from app.extensions import babel, compress, csrf, db, limiter, login_manager, migrate

    db.init_app(app)
    migrate.init_app(app, db, directory=str(PROJECT_ROOT / "migrations"), render_as_batch=True)
    csrf.init_app(app)
    ratelimit.configure(app)  # database:// (the default) counts in the app's database (SQLite: beside it), for every worker
    limiter.init_app(app)
    compress.init_app(app)  # pages, CSS, JS and JSON compressed for slow phone networks (zstd, br, gzip)
    babel.init_app(
        app,
        locale_selector=i18n.select_locale,
        timezone_selector=lambda: "Asia/Shanghai",
        default_translation_directories=";".join(i18n.translation_directories()),
    )
    login_manager.init_app(app)
    login_manager.login_view = "auth.login"
    login_manager.login_message = None
    login_manager.session_protection = "basic"

    @login_manager.unauthorized_handler
    def unauthorized():
        from flask import abort

        abort(401)  # the 401 handler answers JSON to API clients and redirects browsers to sign in

    @login_manager.user_loader
    def load_user(user_id: str):
        return user_for_session(db.session, user_id)

    with app.app_context():
        if db.engine.dialect.name == "sqlite":
            from app.database import configure_sqlite

            configure_sqlite(app, db.engine)
        elif db.engine.dialect.name == "postgresql":
            from app.database import configure_postgresql

            configure_postgresql(app, db.engine)


def register_features(app: Flask) -> None:
    """Let each feature (app/features.py) register its blueprints, rules, mutations and CLI."""
    from importlib import import_module

    from app.features import FEATURES

    for name in FEATURES:
        import_module(name).init_app(app)


def register_request_hooks(app: Flask) -> None:
    """Security headers and template helpers."""
    from app import blank_fields, i18n, security, slots

    security.init_app(app)
    blank_fields.init_app(app)
    i18n.init_app(app)
    slots.init_app(app)


def register_error_handlers_and_cli(app: Flask) -> None:
    """Error pages and `flask --app wsgi …` commands."""
    from app.backup.cli import backup_cli, restore_command
    from app.config import settings_command
    from app.demo.cli import demo_command
    from app.errors import register_error_handlers
    from app.i18n_catalogs import translate_cli

    register_error_handlers(app)
    app.cli.add_command(demo_command)
    app.cli.add_command(translate_cli)
    app.cli.add_command(settings_command)
    app.cli.add_command(backup_cli)
    app.cli.add_command(restore_command)
