"""Issue 15 item 13: the JSON API's OpenAPI 3.1 document and its page, generated from the code."""
from __future__ import annotations

import re

import pytest

from app import create_app
from app.apidocs.spec import build
from app.commands import commands
from app.config import TestingConfig


def api_operations(app) -> set[tuple[str, str]]:
    """(METHOD, OpenAPI path) of every rule under /api/, `any(...)` converters spelled out."""
    found = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/"):
            continue
        paths = [rule.rule]
        while any("<any(" in p for p in paths):
            expanded = []
            for p in paths:
                m = re.search(r"<any\(([^)]*)\):\w+>", p)
                if m is None:
                    expanded.append(p)
                    continue
                expanded += [p[:m.start()] + v.strip() + p[m.end():] for v in m[1].split(",")]
            paths = expanded
        for p in paths:
            template = re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", p)
            found |= {(m, template) for m in rule.methods - {"HEAD", "OPTIONS"}}
    return found


def test_the_document_is_served_to_anyone_and_names_every_json_route(app, client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    assert response.mimetype == "application/json"
    doc = response.get_json()
    assert doc["openapi"] == "3.1.0"
    documented = {(m.upper(), p) for p, methods in doc["paths"].items() for m in methods}
    assert documented == api_operations(app)
    # The ones the issue names, by their methods.
    for method, path in [("POST", "/api/v1/session"), ("DELETE", "/api/v1/session"), ("GET", "/api/v1/csrf"),
                         ("GET", "/api/v1/me"), ("POST", "/api/v1/sync"), ("GET", "/api/v1/sync"),
                         ("PUT", "/api/v1/uploads/{uuid}"), ("POST", "/api/v1/issues"),
                         ("POST", "/api/v1/notices"), ("POST", "/api/v1/push/subscriptions"),
                         ("GET", "/api/v1/notifications/unread"),
                         ("POST", "/api/v1/joining/requests/{request_id}/decision")]:
        assert (method, path) in documented


def test_the_sync_batch_is_every_offline_command_discriminated_by_type(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    schemas = doc["components"]["schemas"]
    batch = doc["paths"]["/api/v1/sync"]["post"]["requestBody"]["content"]["application/json"]["schema"]
    batch = schemas[batch["$ref"].rsplit("/", 1)[1]]
    items = batch["properties"]["mutations"]["items"]
    # The app's own offline commands, each documented: tests/sync/mutations.py adds test-only ones to
    # the same registry when the suite imports it, before or after the document is built.
    def apps_own(names):
        return {n for n in names if not commands()[n].run.__module__.startswith("tests.")}

    offline = apps_own(n for n, c in commands().items() if c.offline)
    assert apps_own(items["discriminator"]["mapping"]) == offline
    assert {"issue.report", "visit.add", "vote.cast", "join.decide", "notice.read"} <= set(items["discriminator"]["mapping"])
    report = schemas[items["discriminator"]["mapping"]["issue.report"].rsplit("/", 1)[1]]
    assert report["properties"]["type"]["const"] == "issue.report"
    payload = schemas[report["properties"]["payload"]["$ref"].rsplit("/", 1)[1]]
    # The command's own pydantic schema: its fields and limits, as the server validates them.
    assert payload["properties"]["text"]["maxLength"] == 2000
    assert "building_id" in payload["required"]


def test_a_command_body_does_not_ask_again_for_what_the_url_gives(client):
    doc = client.get("/api/v1/openapi.json").get_json()
    op = doc["paths"]["/api/v1/issues/{problem_id}/comments"]["post"]
    body = doc["components"]["schemas"][op["requestBody"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[1]]
    assert "problem_id" not in body["properties"]
    assert "text" in body["properties"]
    assert "issue.comment" in body["description"]
    assert {p["name"] for p in op["parameters"]} == {"problem_id"}
    assert {"400", "401", "403", "404", "409"} <= set(op["responses"])


def test_a_json_route_without_a_declaration_stops_the_document():
    """The document cannot fall behind the code: a new /api/ route must say what it takes and answers."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    app.add_url_rule("/api/v1/undeclared", "undeclared", lambda: {})
    with app.test_request_context(), pytest.raises(LookupError, match="/api/v1/undeclared"):
        build(app)


def test_the_page_lists_every_operation_and_schema_from_this_server_only(client):
    page = client.get("/api/v1/docs")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "JSON 接口" in html  # Chinese first
    assert "<code>POST /api/v1/sync</code>" in html
    assert 'id="schema-issue.report.body"' in html
    assert 'href="#schema-ErrorOut"' in html
    # Nothing is loaded from elsewhere: the app works without the internet.
    assert not re.search(r'(src|href)="(https?:)?//', html)
