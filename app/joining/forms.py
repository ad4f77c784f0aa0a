"""Joining's forms. They validate (and carry the CSRF token); they never write."""
from __future__ import annotations

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length, Optional, Regexp, StopValidation

from app.auth.forms import PHONE_PATTERN, normalise_phone
from app.auth.passwords import MAX_LENGTH, StrongPassword

_PHONE_VALIDATORS = [DataRequired(message=_l("Please enter your mobile phone number.")),
                     Regexp(PHONE_PATTERN, message=_l("A mobile number has 11 digits and starts with 1."))]
_PHONE_INPUT = {"inputmode": "numeric", "autocomplete": "tel", "maxlength": 20}


class UnlessCard:
    """The password fields are skipped when the person asks for a login card instead."""

    def __call__(self, form, field):
        """Stop checking `field` (no error) when the login card is asked for."""
        if form.wants_card.data:
            field.errors[:] = []
            raise StopValidation()


class JoinForm(FlaskForm):
    """The join page: group rules accepted, real name, phone, room, and a password or a login card."""

    rules_accepted = BooleanField(_l("I have read the group rules and accept them"), validators=[
        DataRequired(message=_l("Please read the group rules and tick that you accept them."))])
    name = StringField(_l("Real name"), validators=[DataRequired(message=_l("Please enter your real name.")),
                                                    Length(max=50)], render_kw={"autocomplete": "name"})
    phone = StringField(_l("Mobile phone number"), filters=[normalise_phone], validators=_PHONE_VALIDATORS,
                        render_kw=_PHONE_INPUT)
    # Rendered by the template (rooms grouped by unit); the command checks the room is the building's.
    room_id = SelectField(_l("Unit and room"), coerce=str, validate_choice=False,
                          validators=[DataRequired(message=_l("Please choose your room."))])
    wants_card = BooleanField(_l("I cannot manage a password: please have the building head print me a login card"))
    password = PasswordField(_l("Password"), validators=[
        UnlessCard(), DataRequired(message=_l("Please choose a password.")), StrongPassword("phone")],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH})
    password2 = PasswordField(_l("Password again"), validators=[
        UnlessCard(), EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH})


# The usual reasons to decline, one tap each (the head may write their own instead).
DECLINE_REASONS = {
    "not_confirmed": _l("We could not confirm that you live in this room."),
    "see_head": _l("Please come and see the building head in person first."),
    "details": _l("The name or room given is not right. Please ask again with the right details."),
}


class DecideForm(FlaskForm):
    """Approve, or decline with a reason (a usual one picked, or the head's own words)."""

    reason = StringField(_l("Reason"))  # a key of DECLINE_REASONS (a select on the page)
    other = StringField(_l("Or in your own words"), validators=[Optional(), Length(max=300)])


class RulesForm(FlaskForm):
    """The building's group rules 群规."""

    group_rules = TextAreaField(_l("Group rules"), validators=[Length(max=4000)], render_kw={"rows": 8})


class ConfirmForm(FlaskForm):
    """A bare POST with CSRF (replace the join code, give a reset code)."""

    sure = BooleanField(_l("Yes, the old posters will stop working"))


class ForgotForm(FlaskForm):
    """忘记密码: the person's phone number."""

    phone = StringField(_l("Mobile phone number"), filters=[normalise_phone], validators=_PHONE_VALIDATORS,
                        render_kw=_PHONE_INPUT)


class ResetForm(FlaskForm):
    """The code from the building head and a new password, twice."""

    phone = StringField(_l("Mobile phone number"), filters=[normalise_phone], validators=_PHONE_VALIDATORS,
                        render_kw=_PHONE_INPUT)
    code = StringField(_l("Code from your building head"), validators=[
        DataRequired(message=_l("Please enter the code.")), Length(max=20)],
        render_kw={"inputmode": "numeric", "autocomplete": "one-time-code", "maxlength": 20})
    password = PasswordField(_l("New password"), validators=[
        DataRequired(message=_l("Please choose a password.")), StrongPassword("phone")],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH})
    password2 = PasswordField(_l("New password again"), validators=[
        EqualTo("password", message=_l("The two passwords are not the same."))],
        render_kw={"autocomplete": "new-password", "maxlength": MAX_LENGTH})
