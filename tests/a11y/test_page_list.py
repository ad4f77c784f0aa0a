"""The accessibility page list (app/<feature>/pages.py) covers every HTML page, and every entry opens."""
import pytest

from app.a11y import DEMO_ROLES, HOW_TO_ADD, collect, html_get_endpoints, missing_entries, page_urls
from app.demo.data import DEMO_PASSWORD
from app.demo.services import load_demo
from app.extensions import db
from tests.conftest import csrf_from


def test_every_html_get_route_has_an_entry(app):
    missing = missing_entries(app)
    assert not missing, "pages missing from the accessibility page list:\n" + "\n".join(missing) + "\n\n" + HOW_TO_ADD


def test_every_entry_names_a_real_get_route(app):
    pages, skipped = collect(app)
    routes = html_get_endpoints(app)
    stale = [e.endpoint for e in (*pages, *skipped) if e.endpoint not in routes]
    assert not stale, f"page-list entries for endpoints that are no GET route any more: {stale}"


@pytest.mark.parametrize("role", sorted(DEMO_ROLES))
def test_every_listed_page_opens_for_its_roles(app, client, role):
    """Each entry is a page its roles can open with the demo data: 200 and HTML, no redirect."""
    load_demo(db.session)
    db.session.commit()
    urls = page_urls(app, db.session, role)
    if DEMO_ROLES[role]:
        token = csrf_from(client.get("/auth/login").get_data(as_text=True))
        signed_in = client.post("/auth/login", data={"phone": DEMO_ROLES[role], "password": DEMO_PASSWORD,
                                                     "csrf_token": token})
        assert signed_in.status_code == 302
    failures = []
    for page, url in urls:
        response = client.get(url)
        if response.status_code != 200 or response.mimetype != "text/html":
            failures.append(f"{page.endpoint} {url}: {response.status_code} {response.mimetype}")
    assert not failures, f"pages listed for {role!r} that do not open for that demo account:\n" + "\n".join(failures)
