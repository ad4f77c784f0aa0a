"""`flask accounts create-admin`: the first account of an installation without the demo street."""
from sqlalchemy import select

from app.accounts.models import AccountEvent
from app.extensions import db
from app.models import Role, User
from tests.conftest import csrf_from


def test_the_first_administrator_signs_in_and_sees_the_set_up(app, client):
    result = app.test_cli_runner().invoke(args=["accounts", "create-admin", "139 1234 0001", "管理员甲"],
                                          input="Hutong-lamp-2026\nHutong-lamp-2026\n")
    assert result.exit_code == 0, result.output
    admin = db.session.scalar(select(User).where(User.phone == "13912340001"))
    assert [a.role for a in admin.roles] == [Role.ADMIN]
    assert [e.change.value for e in db.session.scalars(select(AccountEvent))] == ["created"]  # in the log, by no one
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    assert client.post("/auth/login", data={"csrf_token": token, "phone": "13912340001",
                                            "password": "Hutong-lamp-2026"}).status_code == 302
    assert client.get("/accounts/").status_code == 200


def test_a_weak_password_or_a_taken_phone_creates_nothing(app, make_user):
    runner = app.test_cli_runner()
    weak = runner.invoke(args=["accounts", "create-admin", "13912340001", "甲", "--password", "12345678"])
    assert weak.exit_code != 0 and db.session.scalar(select(User).where(User.phone == "13912340001")) is None
    taken = make_user(Role.RESIDENT, phone="13912340002")
    again = runner.invoke(args=["accounts", "create-admin", "13912340002", "乙", "--password", "Hutong-lamp-2026"])
    assert again.exit_code != 0 and "already has an account" in again.output
    db.session.expire_all()
    assert [a.role for a in db.session.get(User, taken.id).roles] == [Role.RESIDENT]
