"""Forms for accounts. They validate (and carry the CSRF token); they never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

from app.auth.forms import PHONE_PATTERN, normalise_phone
from app.auth.passwords import StrongPassword


class RoleForm(FlaskForm):
    """A role over a place ("staff:12"): the page lists what the person may give, the command checks it."""

    role_place = StringField(_l("Role and place"), validators=[DataRequired(message=_l("Please choose a role."))])


class CreateForm(RoleForm):
    """A new account: name, mobile number, the initial password to hand over, and its role."""

    name = StringField(_l("Name"), validators=[DataRequired(message=_l("Please enter the name.")), Length(max=50)],
                       render_kw={"autocomplete": "off"})
    phone = StringField(
        _l("Mobile phone number"), filters=[normalise_phone],
        validators=[DataRequired(message=_l("Please enter the mobile phone number.")),
                    Regexp(PHONE_PATTERN, message=_l("A mobile number has 11 digits and starts with 1."))],
        render_kw={"inputmode": "numeric", "autocomplete": "off", "maxlength": 20})
    password = PasswordField(_l("Initial password"), validators=[DataRequired(message=_l("Please enter a password.")),
                                                                StrongPassword("phone")],
                             render_kw={"autocomplete": "new-password"})


class NoteForm(FlaskForm):
    """Confirm a change to an account, with an optional note for the log."""

    note = StringField(_l("Note for the record (optional)"), validators=[Length(max=200)])


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF (remove a role, add a role to an existing account)."""
