"""Monthly reports 月报: the figures 接诉即办 is judged by, per building, community, street and department."""
from flask_babel import lazy_gettext as _l


def init_app(app) -> None:
    """Register the report pages, the JSON endpoint, the permission rule and the home card."""
    from app.home.actions import HomeAction, home_action
    from app.models import Role
    from app.registry import register
    from app.reports import figures, permissions
    from app.reports.routes import api, bp

    register(permissions)
    app.register_blueprint(bp)
    app.register_blueprint(api)
    app.add_template_filter(figures.display, "figure")
    home_action(HomeAction((Role.STAFF, Role.STREET, Role.ADMIN, Role.DEPARTMENT), _l("Reports"),
                           _l("The month's figures: response, resolution and satisfaction rates."), "reports.index", 20))
