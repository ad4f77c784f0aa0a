"""Sign-in forms. They validate; they never write."""
from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, StringField
from wtforms.validators import DataRequired, Length, Regexp

PHONE_PATTERN = r"^1[3-9]\d{9}$"


class LoginForm(FlaskForm):
    """Phone number and password, with "remember me"."""

    phone = StringField(
        _l("Mobile phone number"),
        validators=[
            DataRequired(message=_l("Please enter your mobile phone number.")),
            Regexp(PHONE_PATTERN, message=_l("A mobile number has 11 digits and starts with 1.")),
        ],
        render_kw={"inputmode": "numeric", "autocomplete": "username", "maxlength": 11},
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
