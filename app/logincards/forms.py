"""Forms for login cards. They validate (and carry the CSRF token); they never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField


class IssueForm(FlaskForm):
    """Print a card; by default the card also turns care mode 关怀模式 on."""

    care_mode = BooleanField(_l("Large-print care mode after signing in"), default=True)


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF: revoke a card, or sign in with one."""
