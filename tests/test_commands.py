"""One use case, one command: every JSON write route and every sync mutation type reaches one.

The routes are found in the app's URL map, not listed by hand, so a new endpoint that writes
without going through a command fails here. Each is called for real, signed in as the
administrator with an empty body and ids that exist nowhere: whatever the command answers (a
refusal, most often), it must have been reached (app.commands.command_reached).
"""
from __future__ import annotations

import re
import uuid

from werkzeug.routing import IntegerConverter

from app.commands import commands
from app.models import Role
from app.sync.registry import mutation_names

WRITES = {"POST", "PUT", "PATCH", "DELETE"}
# JSON writes that are not a use case on the records, each with the reason.
NOT_COMMANDS = {
    "/api/v1/sync": "hands each mutation to its command itself (checked per type below)",
    "/api/v1/session": "signing in and out: the account's session, not a record",
    "/api/v1/uploads/<uuid>": "the file store: a photo or voice note kept until a command attaches it",
}


def _urls(rule) -> list[str]:
    """The rule's URL with every placeholder filled; one URL per choice of an any(...) converter."""
    urls = [rule.rule]
    for name, converter in rule._converters.items():
        choices = getattr(converter, "items", None)
        if choices:
            values = list(choices)
        elif isinstance(converter, IntegerConverter):  # app.inputs.BoundedIntConverter too
            values = ["987654"]
        else:
            values = [uuid.uuid4().hex if name == "uuid" else "json" if name == "fmt" else "x" * 8]
        pattern = re.compile(r"<(?:[^:<>]+:)?" + re.escape(name) + r">")
        urls = [pattern.sub(str(value), url) for url in urls for value in values]
    return urls


def json_write_routes(app) -> list[tuple[str, str, str]]:
    """(method, url, rule) for every write under /api/ and /open311/."""
    found = []
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith(("/api/", "/open311/")) or rule.rule in NOT_COMMANDS:
            continue
        for method in sorted((rule.methods or set()) & WRITES):
            found.extend((method, url, rule.rule) for url in _urls(rule))
    return found


def test_there_are_json_writes_to_check(app):
    assert len(json_write_routes(app)) >= 15


def test_every_json_write_route_reaches_a_command(app, client, login, make_user, reached):
    admin = make_user(Role.ADMIN)
    token = login(admin)
    # A city platform signs its requests with its key, not a session (app/open311).
    key = app.test_cli_runner().invoke(args=["open311", "issue-key", "城市平台", "--phone", admin.phone]).output.strip()
    missed = []
    for method, url, rule in json_write_routes(app):
        reached.clear()
        if url.startswith("/open311/"):
            response = client.open(url, method=method, data={"api_key": key})
        else:
            response = client.open(url, method=method, json={}, headers={"X-CSRFToken": token})
        if not reached:
            missed.append(f"{method} {url} ({rule}) answered {response.status_code} without a command")
        assert response.status_code < 500, (method, url, response.get_data(as_text=True)[:300])
    assert missed == []


def test_every_mutation_type_is_an_offline_command():
    names = mutation_names()
    assert {"issue.report", "visit.add", "vote.cast", "notice.read", "notice.informed"} <= set(names)
    assert all(commands()[name].offline for name in names)


def test_every_mutation_type_reaches_its_command_through_sync(client, login, make_user, reached):
    token = login(make_user(Role.ADMIN))
    for name in mutation_names():
        reached.clear()
        body = {"client_id": "t", "mutations": [{"id": str(uuid.uuid4()), "type": name, "payload": {}}]}
        answer = client.post("/api/v1/sync", json=body, headers={"X-CSRFToken": token})
        assert answer.status_code == 200
        assert reached == [name], name
        assert answer.get_json()["results"][0]["status"] == "rejected"  # an empty payload never applies
