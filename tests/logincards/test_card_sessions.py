"""Cancelling a login card signs out the phones it opened, even one that only sends its remember cookie back (issue 15.1)."""
from __future__ import annotations

from urllib.parse import urlsplit

from sqlalchemy import select

from app.extensions import db
from app.logincards.models import LoginCard
from tests.conftest import PASSWORD, csrf_from
from tests.logincards.qr import card_url_from_page
from tests.logincards.test_logincards import me, press_sign_in, print_card, scan, street  # noqa: F401 — fixture


def test_cancelling_a_card_refuses_a_phone_holding_only_the_remember_cookie(app, client, login, street):  # noqa: F811
    csrf = login(street.head)
    url = card_url_from_page(print_card(client, csrf, street.pan).get_data(as_text=True))
    phone, confirm = scan(app, url)
    assert press_sign_in(phone, urlsplit(url).path, confirm.get_data(as_text=True)).status_code == 302
    remembered = phone.get_cookie("remember_token").value

    # Whoever picked up the card keeps only the long remember cookie: no session, no card cookie.
    taken = app.test_client()
    taken.set_cookie("remember_token", remembered)
    assert me(taken) == "潘大爷"
    # The same person signed in with the password on another device (a relative's phone).
    tablet = app.test_client()
    page = tablet.get("/auth/login").get_data(as_text=True)
    assert tablet.post("/auth/login", data={"phone": street.pan.phone, "password": PASSWORD,
                                            "csrf_token": csrf_from(page)}).status_code == 302

    card = db.session.scalars(select(LoginCard)).one()
    assert client.post(f"/logincards/cards/{card.id}/revoke", data={"csrf_token": csrf}).status_code == 302

    fresh = app.test_client()
    fresh.set_cookie("remember_token", remembered)
    response = fresh.get("/api/v1/me")
    assert response.status_code == 401 and response.get_json()["error"]["code"]
    assert fresh.get("/").status_code == 302
    assert me(taken) is None and me(phone) is None
    assert me(tablet) == "潘大爷"  # the password sign-in was not the card's
