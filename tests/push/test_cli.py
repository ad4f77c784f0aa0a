"""`flask push keys` and `flask push work --once`."""
import contextvars

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.push import vapid
from app.push.models import Delivery, DeliveryStatus
from app.push.services import notify


def test_keys_prints_the_public_key_and_keeps_it(app):
    runner = app.test_cli_runner()
    first = runner.invoke(args=["push", "keys"]).output.strip()
    second = runner.invoke(args=["push", "keys"]).output.strip()
    assert first == second == vapid.public_key(current_app.instance_path)
    assert oct(vapid.key_path(current_app.instance_path).stat().st_mode & 0o777) == "0o600"


def test_work_once_sends_what_is_due(app, make_user, subscribe_device, push_service):
    user = make_user(Role.ADMIN)
    _sub, keys, name = subscribe_device(user)
    notify(db.session, [user], "vote", "投票开始了", "楼门公约修订,请投票。", "/", now=__import__("app.clock").clock.utcnow())
    db.session.commit()

    result = contextvars.Context().run(app.test_cli_runner().invoke, args=["push", "work", "--once", "--concurrency", "2"])

    assert result.exit_code == 0, result.output
    assert "sent 1" in result.output
    assert keys.decrypt(push_service.to(name)[0].body)["title"] == "投票开始了"
    db.session.rollback()
    assert db.session.scalar(select(Delivery.status)) == DeliveryStatus.SENT
