"""Who sees the SMS page and records opt-outs (registered with app.auth.permissions)."""
from app.auth.permissions import rule
from app.models import Role, User

MANAGERS = (Role.STAFF, Role.STREET, Role.ADMIN)


@rule("sms.manage")
def _manage(user: User, target=None) -> bool:
    """Community staff, the street office and admins: the configuration, the opt-outs, the usage."""
    return user.has_role(*MANAGERS)
