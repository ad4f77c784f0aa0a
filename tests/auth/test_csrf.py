"""CSRF on every form and every state-changing JSON request (#2 item 4), checked route by route."""
from werkzeug.routing import AnyConverter, IntegerConverter, UUIDConverter

from app.models import Role

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# Integrators of the city platforms send an api_key, never a browser's cookie (app/open311/routes.py).
EXEMPT_PREFIXES = ("/open311/",)


def placeholder(converter):
    """A value the converter accepts (the route need not find anything: the token is checked first)."""
    if isinstance(converter, IntegerConverter):
        return 1
    if isinstance(converter, UUIDConverter):
        return "00000000-0000-4000-8000-000000000000"
    if isinstance(converter, AnyConverter):
        return sorted(converter.items)[0]
    return "x"


def writing_routes(app) -> list[tuple[str, str]]:
    """Every (method, url) that changes state, with placeholder values for its arguments."""
    urls = app.url_map.bind("localhost")
    found = []
    for rule in app.url_map.iter_rules():
        methods = sorted((rule.methods or set()) & WRITES)
        if not methods or rule.rule.startswith(EXEMPT_PREFIXES):
            continue
        values = {name: placeholder(converter) for name, converter in rule._converters.items()}
        found += [(method, urls.build(rule.endpoint, values, method=method)) for method in methods]
    return found


def test_every_write_without_a_token_is_refused(app, client, login, make_household, make_user):
    """A signed-in person's cookie alone, as another site could send it, changes nothing anywhere."""
    login(make_user(Role.RESIDENT, make_household()))
    routes = writing_routes(app)
    assert len(routes) > 20
    unprotected = []
    for method, url in routes:
        response = client.open(url, method=method, headers={"Accept": "application/json"}, json={})
        body = response.get_json(silent=True) or {}
        if response.status_code != 400 or body.get("error", {}).get("code") != "csrf_failed":
            unprotected.append(f"{method} {url}: {response.status_code}")
    assert not unprotected, "answered without a CSRF token:\n" + "\n".join(unprotected)
    assert client.get("/api/v1/me").status_code == 200  # still signed in: nothing was signed out either
