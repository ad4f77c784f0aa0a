"""What a new password must be: one rule for every page that sets one (joining, a reset, a new account).

Long enough, not the person's own phone number, not one character repeated or a run of the keyboard
or the digits, not one of the passwords tried first by anyone guessing. Digits alone are allowed:
many older residents only type numbers, and eight that are not a pattern are worth having.
"""
from __future__ import annotations

from flask_babel import LazyString
from flask_babel import lazy_gettext as _l
from wtforms import Field, Form, ValidationError

MIN_LENGTH = 8
MAX_LENGTH = 128
_RUNS = ("0123456789012345678901234567890", "9876543210987654321098765432109",
         "abcdefghijklmnopqrstuvwxyz", "qwertyuiopasdfghjklzxcvbnm", "1qaz2wsx3edc4rfv")
_COMMON = frozenset({
    "password", "password1", "passw0rd", "iloveyou", "woaini1314", "5201314520", "52013145201314",
    "admin123", "abc12345", "abcd1234", "a1234567", "qwer1234", "1qaz2wsx", "asdf1234", "zxcvbnm1",
    "12341234", "11223344", "12344321", "147258369", "1314520520", "siheyuan", "siheyuan2026",
})


def password_problem(password: str, *, phone: str = "") -> LazyString | None:
    """Why `password` will not do, in the person's language; None when it is good enough."""
    lowered = password.lower()
    if len(password) < MIN_LENGTH:
        return _l("At least %(n)d characters, please.", n=MIN_LENGTH)
    if len(password) > MAX_LENGTH:
        return _l("Too long: at most %(max)d characters.", max=MAX_LENGTH)
    if phone and phone in password:
        return _l("Please do not use your phone number as your password.")
    if len(set(password)) <= 2 or any(lowered in run for run in _RUNS) or lowered in _COMMON:
        return _l("This password is too easy to guess. Please choose another.")
    return None


class StrongPassword:
    """The WTForms validator for `password_problem`; `phone_field` names the form's phone field, if any."""

    def __init__(self, phone_field: str | None = None):
        self.phone_field = phone_field

    def __call__(self, form: Form, field: Field) -> None:
        """Refuse the field's password with the reason."""
        phone = (form[self.phone_field].data or "") if self.phone_field else ""
        problem = password_problem(field.data or "", phone=phone)
        if problem is not None:
            raise ValidationError(str(problem))
