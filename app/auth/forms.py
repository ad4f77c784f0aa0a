"""Sign-in forms. They validate; they never write."""
import re
import unicodedata

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, EqualTo, Length, Regexp

from app.auth.passwords import StrongPassword

PHONE_PATTERN = r"^1[3-9]\d{9}$"
_SEPARATORS = re.compile(r"[\s\-.()]")


def normalise_phone(value):
    """A mobile number as people write it, read as its 11 digits.

    "139 1234 5678", "139-1234-5678", "+86 13912345678", or full-width digits from a Chinese input
    method. Anything that is not such a number comes back as typed (trimmed), for the format check
    to explain.
    """
    if not isinstance(value, str):
        return value
    compact = _SEPARATORS.sub("", unicodedata.normalize("NFKC", value))
    for prefix in ("+86", "0086"):
        if compact.startswith(prefix):
            compact = compact[len(prefix):]
    return compact if re.fullmatch(PHONE_PATTERN, compact) else value.strip()


class LoginForm(FlaskForm):
    """Phone number and password, with "remember me"."""

    phone = StringField(
        _l("Mobile phone number"),
        filters=[normalise_phone],
        validators=[
            DataRequired(message=_l("Please enter your mobile phone number.")),
            Regexp(PHONE_PATTERN, message=_l("A mobile number has 11 digits and starts with 1.")),
        ],
        # Room for "139 1234 5678" or "+86 …": the number is read without them (normalise_phone).
        render_kw={"inputmode": "numeric", "autocomplete": "username", "maxlength": 20},
    )
    password = PasswordField(
        _l("Password"),
        validators=[
            DataRequired(message=_l("Please enter your password.")),
            Length(max=128, message=_l("Too long: at most %(max)d characters.")),
        ],
        render_kw={"autocomplete": "current-password"},
    )
    remember = BooleanField(_l("Keep me signed in on this device"))
    care_mode = BooleanField(_l("Care mode: big text and big buttons"))


class PasswordChangeForm(FlaskForm):
    """The current password, then the new one twice (the rule: app/auth/passwords.py)."""

    current = PasswordField(
        _l("Current password"),
        validators=[DataRequired(message=_l("Please enter your current password.")),
                    Length(max=128, message=_l("Too long: at most %(max)d characters."))],
        render_kw={"autocomplete": "current-password"},
    )
    new = PasswordField(
        _l("New password"),
        validators=[DataRequired(message=_l("Please enter a new password.")), StrongPassword()],
        render_kw={"autocomplete": "new-password"},
    )
    again = PasswordField(
        _l("New password again"),
        validators=[DataRequired(message=_l("Please enter the new password again.")),
                    EqualTo("new", message=_l("The two new passwords are not the same."))],
        render_kw={"autocomplete": "new-password"},
    )


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF (sign out on all my devices)."""
