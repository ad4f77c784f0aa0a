"""What a signed-in person does to their own account, one command each: change the password, sign out everywhere."""
from __future__ import annotations

from flask_babel import gettext as _
from pydantic import BaseModel, Field

from app.auth.passwords import MAX_LENGTH, password_problem
from app.commands import Context, Refused, command
from app.models import SignInEnd


class PasswordChangeIn(BaseModel):
    """The current password, the new one, and the sign-in the change is made from (it stays)."""

    current: str = Field(max_length=MAX_LENGTH)
    new: str = Field(max_length=MAX_LENGTH)
    keep_sign_in: int | None = None


@command("account.change_password", PasswordChangeIn)
def change_password(ctx: Context, data: PasswordChangeIn) -> dict:
    """Set a new password; every other session and remember cookie of the person ends.

    Anyone may change their own password only (the command acts on ctx.user), knowing the current one.
    """
    if not ctx.user.check_password(data.current):
        raise Refused(_("The current password is not right."), "wrong_password",
                      fields={"current": _("The current password is not right.")})
    problem = password_problem(data.new, phone=ctx.user.phone)
    if problem is not None:
        raise Refused(str(problem), "weak_password", fields={"new": str(problem)})
    ctx.user.set_password(data.new)
    ctx.user.end_sessions(SignInEnd.PASSWORD_CHANGED, keep=data.keep_sign_in)
    ctx.session.flush()
    return {"user_id": ctx.user.id}


class EverywhereIn(BaseModel):
    """Nothing to say: the person signs out on every device, this one included."""


@command("account.sign_out_everywhere", EverywhereIn)
def sign_out_everywhere(ctx: Context, data: EverywhereIn) -> dict:
    """退出所有设备: every session and remember cookie of the person ends (login-card phones too)."""
    ctx.user.end_sessions(SignInEnd.ALL_DEVICES)
    ctx.session.flush()
    return {"user_id": ctx.user.id}
