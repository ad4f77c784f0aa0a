"""Login cards 登录卡: print a card, sign in by scanning it, revoke and reissue, and who may do what."""
from __future__ import annotations

import hashlib
import threading
from datetime import timedelta
from urllib.parse import urlsplit

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from app.clock import utcnow
from app.extensions import db
from app.logincards.models import LoginCard, LoginCardSignIn, SignInOutcome
from app.logincards.services import issue_card
from app.models import Role, RoleAssignment, User
from tests.conftest import csrf_from
from tests.logincards.qr import card_url_from_page

REVOKED = "这张登录卡已经作废,请找楼长重新打印"
UNKNOWN = "这张登录卡无效,请找楼长重新打印"
INACTIVE = "这个账号已经停用"


@pytest.fixture
def street(make_building, make_household, make_user):
    """6号楼 with 潘大爷 (no care mode yet), its building head, the community's staff, and a neighbouring building."""
    six = make_building("6号楼")
    seven = make_building("7号楼", community=six.community)
    home = make_household(six, room="101", unit="7门")
    other_home = make_household(seven, room="202")
    return type("Street", (), {
        "six": six, "seven": seven, "home": home, "other_home": other_home,
        "pan": make_user(Role.RESIDENT, home, name="潘大爷"),
        "neighbour": make_user(Role.RESIDENT, other_home, name="邻居"),
        "head": make_user(Role.BUILDING_HEAD, six, name="孙楼长"),
        "other_head": make_user(Role.BUILDING_HEAD, seven, name="郑楼长"),
        "staff": make_user(Role.STAFF, six.community, name="钱书记"),
        "far_staff": make_user(Role.STAFF, make_building("别处").community, name="王社工"),
    })


def print_card(client, csrf: str, holder: User, *, care_mode: bool = True):
    """Press "print a login card" on the holder's card page; returns the response (the printable page)."""
    data = {"csrf_token": csrf}
    if care_mode:
        data["care_mode"] = "y"
    return client.post(f"/logincards/users/{holder.id}/print", data=data)


def scan(app, url: str):
    """A phone that has never seen the app opens the card's address: its own client, no cookies."""
    device = app.test_client()
    path = urlsplit(url).path
    return device, device.get(path)


def press_sign_in(device, path: str, page_html: str):
    """Press the big button on the confirmation page."""
    return device.post(path, data={"csrf_token": csrf_from(page_html)})


def me(device):
    """Who the device is signed in as (None when signed out)."""
    response = device.get("/api/v1/me")
    return response.get_json()["user"]["name"] if response.status_code == 200 else None


def attempts(outcome: SignInOutcome | None = None) -> int:
    query = select(func.count()).select_from(LoginCardSignIn)
    if outcome is not None:
        query = query.where(LoginCardSignIn.outcome == outcome)
    return db.session.scalar(query)


def cards() -> int:
    return db.session.scalar(select(func.count()).select_from(LoginCard))


def test_print_then_scan_signs_in_with_care_mode_and_a_long_remember(app, client, login, street):
    csrf = login(street.head)
    household_page = client.get(f"/visits/households/{street.home.id}").get_data(as_text=True)
    assert f"/logincards/users/{street.pan.id}" in household_page
    assert "为 潘大爷 打印登录卡" in household_page

    printed = print_card(client, csrf, street.pan)
    assert printed.status_code == 200
    assert printed.headers["Cache-Control"] == "no-store"
    html = printed.get_data(as_text=True)
    assert "潘大爷" in html and "6号楼 7门 101" in html
    assert "用手机相机扫描二维码即可登录" in html
    assert "发卡日期" in html
    assert 'style="' not in html and "<script>" not in html  # the CSP forbids inline styles and scripts

    url = card_url_from_page(html)  # what a phone camera reads off the paper
    assert url.startswith("http://localhost/card/")
    token = url.rsplit("/", 1)[1]
    assert len(token) >= 43
    card = db.session.scalars(select(LoginCard)).one()
    assert card.token_hash == hashlib.sha256(token.encode()).hexdigest()
    assert card.issued_by_id == street.head.id and card.care_mode

    device, confirm = scan(app, url)
    assert confirm.status_code == 200
    assert "以 潘大爷 的身份登录?" in confirm.get_data(as_text=True)
    assert me(device) is None, "opening the address alone must sign nobody in"
    assert attempts() == 0

    signed_in = press_sign_in(device, urlsplit(url).path, confirm.get_data(as_text=True))
    assert signed_in.status_code == 302 and urlsplit(signed_in.location).path == "/"
    remember = next(c for c in signed_in.headers.getlist("Set-Cookie") if c.startswith("remember_token="))
    expires = remember.split("Expires=")[1].split(";")[0]
    from email.utils import parsedate_to_datetime

    assert parsedate_to_datetime(expires) - utcnow() > timedelta(days=179)
    assert me(device) == "潘大爷"
    home = device.get("/")
    assert home.status_code in (200, 302) and "/auth/login" not in (home.location or "")

    db.session.refresh(street.pan)
    assert street.pan.care_mode is True
    db.session.refresh(card)
    assert card.last_used_at is not None
    entry = db.session.scalars(select(LoginCardSignIn)).one()
    assert (entry.outcome, entry.user_id, entry.card_id, entry.ip) == (SignInOutcome.OK, street.pan.id, card.id, "127.0.0.1")

    # The issuer sees the sign-in on the card page; the token is never shown again.
    page = client.get(f"/logincards/users/{street.pan.id}").get_data(as_text=True)
    assert "已登录" in page and "127.0.0.1" in page and "现在有一张可用的登录卡" in page
    assert token not in page and "logincard-qr" not in page


def test_card_without_care_mode_leaves_the_setting_alone(app, client, login, street):
    csrf = login(street.head)
    url = card_url_from_page(print_card(client, csrf, street.pan, care_mode=False).get_data(as_text=True))
    device, confirm = scan(app, url)
    press_sign_in(device, urlsplit(url).path, confirm.get_data(as_text=True))
    assert me(device) == "潘大爷"
    db.session.refresh(street.pan)
    assert street.pan.care_mode is False


def test_revoked_card_shows_the_message_and_signs_out_its_phone(app, client, login, street):
    csrf = login(street.head)
    url = card_url_from_page(print_card(client, csrf, street.pan).get_data(as_text=True))
    path = urlsplit(url).path
    phone, confirm = scan(app, url)
    press_sign_in(phone, path, confirm.get_data(as_text=True))
    assert me(phone) == "潘大爷"
    card = db.session.scalars(select(LoginCard)).one()

    question = client.get(f"/logincards/cards/{card.id}/revoke")
    assert question.status_code == 200 and "作废 潘大爷 的登录卡?" in question.get_data(as_text=True)
    assert db.session.get(LoginCard, card.id).revoked_at is None, "asking is not revoking"
    done = client.post(f"/logincards/cards/{card.id}/revoke", data={"csrf_token": csrf})
    assert done.status_code == 302
    db.session.refresh(card)
    assert card.revoked_at is not None and card.revoked_by_id == street.head.id

    assert me(phone) is None, "the phone the lost card opened is signed out"

    stranger, refused = scan(app, url)
    assert refused.status_code == 410
    assert REVOKED in refused.get_data(as_text=True)
    assert 'type="submit"' not in refused.get_data(as_text=True).split("<main", 1)[1].split("</main>")[0]
    forced = stranger.post(path, data={"csrf_token": stranger.get("/api/v1/csrf").get_json()["csrf_token"]})
    assert forced.status_code == 410
    assert me(stranger) is None
    assert attempts(SignInOutcome.REVOKED) == 2
    page = client.get(f"/logincards/users/{street.pan.id}").get_data(as_text=True)
    assert "未登录:卡已作废" in page and "现在没有可用的登录卡" in page


def test_reissue_cancels_the_old_card_and_the_new_one_works(app, client, login, street):
    csrf = login(street.head)
    old = card_url_from_page(print_card(client, csrf, street.pan).get_data(as_text=True))
    new = card_url_from_page(print_card(client, csrf, street.pan).get_data(as_text=True))
    assert old != new
    assert db.session.scalar(select(func.count()).select_from(LoginCard).where(LoginCard.revoked_at.is_(None))) == 1

    device, refused = scan(app, old)
    assert refused.status_code == 410 and REVOKED in refused.get_data(as_text=True)
    device, confirm = scan(app, new)
    assert confirm.status_code == 200
    press_sign_in(device, urlsplit(new).path, confirm.get_data(as_text=True))
    assert me(device) == "潘大爷"
    assert attempts(SignInOutcome.REVOKED) == 1 and attempts(SignInOutcome.OK) == 1


def test_deactivated_account_is_refused(app, street):
    card, token = issue_card(db.session, street.pan, street.head, now=utcnow())
    street.pan.active = False
    db.session.commit()
    device, refused = scan(app, f"http://localhost/card/{token}")
    assert refused.status_code == 403
    assert INACTIVE in refused.get_data(as_text=True)
    assert me(device) is None
    entry = db.session.scalars(select(LoginCardSignIn)).one()
    assert (entry.outcome, entry.card_id) == (SignInOutcome.INACTIVE, card.id)


def test_unknown_token_is_refused_and_logged(app, street):
    device, refused = scan(app, "http://localhost/card/not-a-real-card-token")
    assert refused.status_code == 404
    assert UNKNOWN in refused.get_data(as_text=True)
    assert me(device) is None
    entry = db.session.scalars(select(LoginCardSignIn)).one()
    assert (entry.outcome, entry.card_id, entry.user_id) == (SignInOutcome.UNKNOWN, None, None)


def test_signing_in_needs_the_csrf_token(app, street):
    _, token = issue_card(db.session, street.pan, street.head, now=utcnow())
    db.session.commit()
    device, confirm = scan(app, f"http://localhost/card/{token}")
    assert confirm.status_code == 200
    forged = device.post(f"/card/{token}")
    assert forged.status_code == 400
    assert me(device) is None
    assert attempts(SignInOutcome.OK) == 0


def test_printing_needs_the_csrf_token(client, login, street):
    login(street.head)
    assert client.post(f"/logincards/users/{street.pan.id}/print", data={"care_mode": "y"}).status_code == 400
    assert cards() == 0


def test_resident_cannot_print_cards(client, login, street):
    csrf = login(street.pan)
    assert print_card(client, csrf, street.pan).status_code == 403
    assert print_card(client, csrf, street.neighbour).status_code == 403
    assert client.get(f"/logincards/users/{street.pan.id}").status_code == 403
    assert client.get("/logincards/").status_code == 403
    assert cards() == 0


def test_building_head_cannot_print_for_another_building(client, login, street):
    csrf = login(street.other_head)
    assert print_card(client, csrf, street.pan).status_code == 403
    assert client.get(f"/logincards/buildings/{street.six.id}").status_code == 403
    assert client.get(f"/logincards/users/{street.pan.id}").status_code == 403
    assert cards() == 0


def test_staff_print_for_their_community_only(client, login, street):
    csrf = login(street.staff)
    assert print_card(client, csrf, street.neighbour).status_code == 200
    csrf = login(street.far_staff)
    assert print_card(client, csrf, street.pan).status_code == 403
    assert cards() == 1


def test_no_card_for_an_account_with_more_power_than_the_issuer(client, login, street, make_user):
    """A card signs in as the whole account: a head cannot print one for staff who live in the building."""
    staff_at_home = make_user(Role.RESIDENT, street.home, name="住在楼里的社工")
    staff_at_home.roles.append(RoleAssignment(role=Role.STAFF, community=street.six.community))
    head_too = make_user(Role.RESIDENT, street.home, name="也是楼长")
    head_too.roles.append(RoleAssignment(role=Role.BUILDING_HEAD, building=street.six))
    db.session.commit()
    csrf = login(street.head)
    assert print_card(client, csrf, staff_at_home).status_code == 403
    assert print_card(client, csrf, head_too).status_code == 403
    household_page = client.get(f"/visits/households/{street.home.id}").get_data(as_text=True)
    assert "为 住在楼里的社工 打印登录卡" not in household_page and "为 潘大爷 打印登录卡" in household_page
    csrf = login(street.staff)
    assert print_card(client, csrf, head_too).status_code == 200  # staff stand above the building's heads
    assert print_card(client, csrf, staff_at_home).status_code == 403
    assert cards() == 1


def test_building_page_lists_residents_and_their_cards(client, login, street):
    csrf = login(street.head)
    print_card(client, csrf, street.pan)
    page = client.get(f"/logincards/buildings/{street.six.id}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "潘大爷" in html and "打印" in html and "邻居" not in html
    index = client.get("/logincards/").get_data(as_text=True)
    assert f"/logincards/buildings/{street.six.id}" in index and f"/logincards/buildings/{street.seven.id}" not in index


def test_another_person_can_revoke_only_within_scope(client, login, street):
    card, _ = issue_card(db.session, street.pan, street.head, now=utcnow())
    db.session.commit()
    csrf = login(street.other_head)
    assert client.post(f"/logincards/cards/{card.id}/revoke", data={"csrf_token": csrf}).status_code == 403
    db.session.refresh(card)
    assert card.revoked_at is None
    csrf = login(street.staff)
    assert client.post(f"/logincards/cards/{card.id}/revoke", data={"csrf_token": csrf}).status_code == 302
    db.session.refresh(card)
    assert card.revoked_by_id == street.staff.id


def test_refused_cards_are_rate_limited(app, street):
    device = app.test_client()
    statuses = [device.get(f"/card/guess-{i}").status_code for i in range(21)]
    assert statuses[:20] == [404] * 20
    assert statuses[20] == 429
    assert attempts(SignInOutcome.UNKNOWN) == 20


def test_password_sign_in_on_a_card_phone_is_not_signed_out_by_a_revoke(app, client, login, street):
    """Only sessions the card opened end with it; the same person's password sign-in stays."""
    csrf = login(street.head)
    url = card_url_from_page(print_card(client, csrf, street.pan).get_data(as_text=True))
    phone, confirm = scan(app, url)
    press_sign_in(phone, urlsplit(url).path, confirm.get_data(as_text=True))
    phone.post("/auth/logout", data={"csrf_token": phone.get("/api/v1/csrf").get_json()["csrf_token"]})
    page = phone.get("/auth/login").get_data(as_text=True)
    phone.post("/auth/login", data={"phone": street.neighbour.phone, "password": "correct-horse-9",
                                    "csrf_token": csrf_from(page)})
    assert me(phone) == "邻居"
    card = db.session.scalars(select(LoginCard)).one()
    client.post(f"/logincards/cards/{card.id}/revoke", data={"csrf_token": csrf})
    assert me(phone) == "邻居"


def test_revoke_signs_out_a_phone_that_came_back_through_the_remember_cookie(app, client, login, street):
    """The browser was closed (session cookie gone); the remember cookie signs the phone in again — until the revoke."""
    csrf = login(street.head)
    url = card_url_from_page(print_card(client, csrf, street.pan).get_data(as_text=True))
    phone, confirm = scan(app, url)
    press_sign_in(phone, urlsplit(url).path, confirm.get_data(as_text=True))
    assert phone.get_cookie("remember_token") is not None and phone.get_cookie("siheyuan_card") is not None
    phone.delete_cookie("session", domain="localhost")
    assert me(phone) == "潘大爷"  # back in through the remember cookie
    phone.delete_cookie("session", domain="localhost")
    card = db.session.scalars(select(LoginCard)).one()
    client.post(f"/logincards/cards/{card.id}/revoke", data={"csrf_token": csrf})
    assert me(phone) is None
    assert phone.get_cookie("siheyuan_card") is None and phone.get_cookie("remember_token") is None


def test_a_forged_device_cookie_is_dropped(app, street):
    device = app.test_client()
    device.set_cookie("siheyuan_card", "not-signed", domain="localhost")
    assert device.get("/auth/login").status_code == 200
    assert device.get_cookie("siheyuan_card") is None


@pytest.mark.postgres  # row locks: SQLite has only one writer at a time
def test_two_heads_printing_at_once_leave_one_working_card(app, street):
    """The second issuer waits for the first (a lock on the holder's row), then cancels the first card."""
    engine = db.engine
    first, second = Session(bind=engine.connect()), Session(bind=engine.connect())
    try:
        pan_1 = first.get(User, street.pan.id)
        issue_card(first, pan_1, first.get(User, street.head.id), now=utcnow())  # holds the lock, uncommitted
        done = {}

        def print_second():
            with app.app_context():
                pan_2 = second.get(User, street.pan.id)
                done["card"] = issue_card(second, pan_2, second.get(User, street.staff.id), now=utcnow())[0].id
                second.commit()

        thread = threading.Thread(target=print_second)
        thread.start()
        thread.join(timeout=1.0)
        assert thread.is_alive(), "the second issuer must wait for the first"
        first.commit()
        thread.join(timeout=10)
        assert not thread.is_alive()
    finally:
        first.close()
        second.close()
        first.bind.close()
        second.bind.close()
    working = db.session.scalars(select(LoginCard).where(LoginCard.revoked_at.is_(None))).all()
    assert [c.id for c in working] == [done["card"]]
    assert db.session.scalar(select(func.count()).select_from(LoginCard)) == 2


def test_building_page_issues_the_same_queries_for_2_and_10_residents(client, login, street, make_household, make_user):
    """Whether each holder's card may be printed is decided for the whole list at once."""
    from tests.query_count import queries_for

    def move_in(n):
        for i in range(n):
            make_user(Role.RESIDENT, make_household(street.six, room=f"{i}0{n}"), name=f"新邻居{n}-{i}")
        db.session.commit()

    move_in(1)  # with 潘大爷: 2
    login(street.staff)
    url = f"/logincards/buildings/{street.six.id}"
    few = queries_for(client, url)
    move_in(8)
    html = client.get(url).get_data(as_text=True)
    assert html.count('href="/logincards/users/') == 10
    assert queries_for(client, url) == few
