"""忘记密码: the public page tells nothing; a head gives a one-time code; the code works once, for a day, five tries."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select

from app.extensions import db
from app.joining.channels import register_code_sender, unregister_code_sender
from app.joining.models import PasswordReset
from app.models import Role, User
from tests.conftest import PASSWORD, csrf_from

NEW_PASSWORD = "winter-plum-88"
ANSWER = "如果这个号码已注册,请联系楼长或社区取得验证码"


def _forgot(client, phone: str):
    token = csrf_from(client.get("/join/forgot").get_data(as_text=True))
    return client.post("/join/forgot", data={"csrf_token": token, "phone": phone})


def _use(client, phone: str, code: str, password: str = NEW_PASSWORD):
    token = csrf_from(client.get("/join/new-password").get_data(as_text=True))
    return client.post("/join/new-password", data={"csrf_token": token, "phone": phone, "code": code,
                                                   "password": password, "password2": password})


def _give_code(client, login, head) -> str:
    """The head opens the review page and gives the code of the one reset there; the code shown."""
    token = login(head)
    (reset,) = db.session.scalars(select(PasswordReset)).all()
    assert f"/joining/resets/{reset.id}/code" in client.get("/joining/").get_data(as_text=True)
    page = client.post(f"/joining/resets/{reset.id}/code", data={"csrf_token": token})
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store"
    html = page.get_data(as_text=True)
    code = html.split('class="reset-code"')[1].split(">", 1)[1].split("<", 1)[0]
    assert len(code) == 6 and code.isdigit()
    assert code not in (db.session.get(PasswordReset, reset.id).code_hash or "")  # only a hash is kept
    client.post("/auth/logout", data={"csrf_token": token})
    return code


def _password_is(user_id: int, password: str) -> bool:
    db.session.expire_all()
    return db.session.get(User, user_id).check_password(password)


def test_the_public_page_answers_the_same_for_any_number(client, six, make_user, make_household):
    resident = make_user(Role.RESIDENT, six["household"], phone="13912340020")
    answers = [_forgot(client, phone) for phone in ("13912340020", "13912349999")]
    assert [a.status_code for a in answers] == [200, 200]
    assert all(ANSWER in a.get_data(as_text=True) for a in answers)
    # the same page but for the number typed and the CSRF token (signed with the second it was made in)
    pages = [a.get_data(as_text=True).replace(phone, "").replace(csrf_from(a.get_data(as_text=True)), "")
             for a, phone in zip(answers, ("13912340020", "13912349999"), strict=True)]
    assert pages[0] == pages[1]
    assert [r.user_id for r in db.session.scalars(select(PasswordReset))] == [resident.id]


def test_a_code_sets_a_new_password_once(client, six, make_user, login, frozen_clock):
    resident = make_user(Role.RESIDENT, six["household"], phone="13912340020", name="李居民")
    _forgot(client, "13912340020")
    code = _give_code(client, login, six["head"])
    response = _use(client, "13912340020", code)
    assert response.status_code == 302 and response.headers["Location"] == "/auth/login"
    assert _password_is(resident.id, NEW_PASSWORD) and not _password_is(resident.id, PASSWORD)
    again = _use(client, "13912340020", code, "another-pine-77")
    assert again.status_code == 400 and "验证码不对、已用过或已超过一天" in again.get_data(as_text=True)
    assert _password_is(resident.id, NEW_PASSWORD)
    assert "13912340020" not in client.get("/joining/").get_data(as_text=True)  # done: off the head's list


def test_a_new_password_signs_out_the_sessions_signed_in_before(app, client, six, make_user, login):
    make_user(Role.RESIDENT, six["household"], phone="13912340020")
    other_phone = app.test_client()
    token = csrf_from(other_phone.get("/auth/login").get_data(as_text=True))
    other_phone.post("/auth/login", data={"csrf_token": token, "phone": "13912340020", "password": PASSWORD})
    assert other_phone.get("/").status_code == 200 and "/auth/logout" in other_phone.get("/").get_data(as_text=True)
    _forgot(client, "13912340020")
    assert _use(client, "13912340020", _give_code(client, login, six["head"])).status_code == 302
    after = other_phone.get("/")
    assert after.status_code == 302 and after.headers["Location"].startswith("/auth/login")


def test_an_expired_code_is_refused(client, six, make_user, login, frozen_clock):
    resident = make_user(Role.RESIDENT, six["household"], phone="13912340020")
    _forgot(client, "13912340020")
    code = _give_code(client, login, six["head"])
    frozen_clock.set(frozen_clock.now + timedelta(hours=24, minutes=1))
    response = _use(client, "13912340020", code)
    assert response.status_code == 400 and "验证码不对、已用过或已超过一天" in response.get_data(as_text=True)
    assert _password_is(resident.id, PASSWORD)


def test_guessing_uses_the_code_up_and_is_rate_limited(app, client, six, make_user, login):
    resident = make_user(Role.RESIDENT, six["household"], phone="13912340020")
    _forgot(client, "13912340020")
    code = _give_code(client, login, six["head"])
    wrong = "000000" if code != "000000" else "111111"
    app.config["PASSWORD_CODE_RATE_LIMIT"] = "6 per 15 minutes"
    try:
        for _ in range(5):
            assert _use(client, "13912340020", wrong).status_code == 400
        assert db.session.scalar(select(PasswordReset.wrong_tries)) == 5
        assert _use(client, "13912340020", code).status_code == 400  # five wrong tries: the right code no longer works
        assert _password_is(resident.id, PASSWORD)
        assert _use(client, "13912340020", code).status_code == 429  # and the address is limited
    finally:
        app.config["PASSWORD_CODE_RATE_LIMIT"] = "10 per 15 minutes"


def test_a_wrong_number_or_no_code_answers_like_a_wrong_code(client, six, make_user):
    make_user(Role.RESIDENT, six["household"], phone="13912340020")
    _forgot(client, "13912340020")  # asked, but no code given yet
    for phone in ("13912340020", "13912349999"):
        response = _use(client, phone, "123456")
        assert response.status_code == 400 and "验证码不对、已用过或已超过一天" in response.get_data(as_text=True)


def test_a_new_code_replaces_the_old_one_and_a_code_channel_may_send_it(client, six, make_user, login):
    make_user(Role.RESIDENT, six["household"], phone="13912340020")
    sent = []

    def sms(session, user, code):
        sent.append((user.phone, code))
        return "短信"

    register_code_sender(sms)
    try:
        _forgot(client, "13912340020")
        first = _give_code(client, login, six["head"])
        second = _give_code(client, login, six["head"])
    finally:
        unregister_code_sender(sms)
    assert sent == [("13912340020", first), ("13912340020", second)]
    if first != second:
        assert _use(client, "13912340020", first).status_code == 400
    assert _use(client, "13912340020", second).status_code == 302


def test_the_sign_in_page_links_to_forgot_password(client):
    assert 'href="/join/forgot"' in client.get("/auth/login").get_data(as_text=True)
