"""`flask push keys` and `flask push work --once`."""
import contextvars

from flask import current_app
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.notifications.services import notify
from app.push import vapid
from app.push.models import Delivery, DeliveryStatus


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


def test_a_key_made_meanwhile_by_another_process_is_kept(tmp_path, monkeypatch):
    """Two workers starting at once both find no key: the one linked first stays, the other is dropped."""
    first = vapid.public_key(str(tmp_path))
    monkeypatch.setattr(vapid.Path, "exists", lambda self: False)  # this process looked before the key appeared
    vapid.ensure_keys(str(tmp_path))
    monkeypatch.undo()
    assert vapid.public_key(str(tmp_path)) == first
    assert [p.name for p in tmp_path.iterdir()] == [vapid.KEY_FILE]  # no temporary file left behind
    assert oct(vapid.key_path(str(tmp_path)).stat().st_mode & 0o777) == "0o600"
