"""The muting page (/notifications/) and its form, also shown on /push/, run the notifications.mute command."""
from app.extensions import db
from app.models import Role
from app.notifications.services import muted_kinds


def test_the_settings_page_saves_and_comes_back(client, login, make_user, make_household, reached):
    resident = make_user(Role.RESIDENT, make_household())
    token = login(resident)
    page = client.get("/notifications/").get_data(as_text=True)
    assert "哪些事提醒我" in page and 'value="vote"' in page and "/push/" in page  # the phone's switch is a link away
    response = client.post("/notifications/kinds", data={"csrf_token": token, "kind": ["notice"], "next": "/push/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/push/")
    assert reached == ["notifications.mute"]
    assert muted_kinds(db.session, resident) == {"issue.update", "issue.deadline", "issue.dispatch", "vote"}


def test_saving_never_redirects_off_the_site(client, login, make_user, make_household):
    token = login(make_user(Role.RESIDENT, make_household()))
    response = client.post("/notifications/kinds", data={"csrf_token": token, "next": "//evil.example/"})
    assert response.status_code == 302 and response.headers["Location"].endswith("/notifications/")


def test_the_unread_count_needs_a_signed_in_person(client):
    assert client.get("/api/v1/notifications/unread").status_code == 401


def test_the_addresses_from_before_the_move_still_answer(client, login, make_user, make_household, reached):
    """A phone's cached page may still post to /push/kinds and its badge script ask /api/v1/push/unread."""
    resident = make_user(Role.RESIDENT, make_household())
    token = login(resident)
    response = client.post("/push/kinds", data={"csrf_token": token, "kind": ["notice", "vote"]})
    assert response.status_code == 302 and reached == ["notifications.mute"]
    assert muted_kinds(db.session, resident) == {"issue.update", "issue.deadline", "issue.dispatch"}
    assert client.get("/api/v1/push/unread").get_json() == {"unread": 0}
