"""Who may read which report (registered with app.auth.permissions)."""
from app.auth.permissions import rule
from app.models import Role, User
from app.reports.periods import ReportScope

READERS = (Role.STAFF, Role.STREET, Role.ADMIN, Role.DEPARTMENT)


@rule("report.view")
def _view(user: User, target: ReportScope) -> bool:
    """Staff: their community and its buildings; the street: all of it and its departments; admin: all.

    A department: its own work orders only.
    """
    for a in user.roles:
        if a.role == Role.ADMIN:
            return True
        if a.role == Role.STREET and target.street_id is not None and a.street_id == target.street_id:
            return True
        if a.role == Role.STAFF and target.kind in ("community", "building") and a.community_id == target.community_id:
            return True
        if a.role == Role.DEPARTMENT and target.kind == "department" and a.department_id == target.id:
            return True
    return False


def may_read_reports(user: User) -> bool:
    """The person holds a role that reads some report (the home card, the index page)."""
    return user.has_role(*READERS)

