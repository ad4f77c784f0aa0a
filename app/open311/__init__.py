"""Open311 GeoReport v2: problems for city platforms (open311)."""


def init_app(app) -> None:
    """Register the Open311 endpoints, the platform's report command and the key command."""
    from app.open311 import commands, models  # noqa: F401 — the api_key table
    from app.open311.cli import open311_cli
    from app.open311.routes import bp
    from app.registry import register

    register(commands)
    app.register_blueprint(bp)
    app.cli.add_command(open311_cli)
