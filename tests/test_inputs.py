"""Bad input never gives a 500 (issue 15, items 4-6): numbers, dates, NUL and nesting the database or Python cannot take."""
import json
import re
import uuid
from xml.etree import ElementTree as ET

import pytest
from werkzeug.routing import IntegerConverter

from app.extensions import db
from app.models import Role
from app.problems import services as problems
from app.problems.models import Category, Problem
from app.visits.models import Visit
from tests.conftest import PASSWORD, csrf_from

HUGE = [2**63, 10**20]  # beyond PostgreSQL's bigint and SQLite's INTEGER (and so beyond integer)
ARGUMENT = re.compile(r"<(?:(\w+)(?:\(([^)]*)\))?:)?(\w+)>")


def _url(rule, number: int) -> str:
    """The rule's path with every integer argument set to `number` and every other one to a value it accepts."""

    def fill(match: re.Match) -> str:
        converter, options, name = match.groups()
        if isinstance(rule._converters[name], IntegerConverter):
            return str(number)
        if converter == "any":
            return options.split(",")[0].strip().strip("'\"")
        return "json" if name == "fmt" else "x"

    return ARGUMENT.sub(fill, rule.rule)


@pytest.fixture
def admin(make_user, login):
    """An administrator, signed in (nothing is out of their scope, so every route reaches its query)."""
    user = make_user(Role.ADMIN)
    return user, login(user)


@pytest.mark.parametrize("number", HUGE, ids=["2**63", "10**20"])
def test_every_route_with_an_integer_in_its_path_answers_404_for_a_number_beyond_the_database(
        app, client, admin, number):
    _, token = admin
    rules = [rule for rule in app.url_map.iter_rules()
             if any(isinstance(c, IntegerConverter) for c in rule._converters.values())]
    assert len(rules) > 60  # the walk covers every feature's routes, not a handful
    answers = {}
    for rule in rules:
        url = _url(rule, number)
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            response = client.open(url, method=method, headers={"X-CSRFToken": token}, data={"csrf_token": token})
            answers[f"{method} {url}"] = response.status_code
    assert {call: status for call, status in answers.items() if status not in (400, 404)} == {}


def test_a_number_beyond_the_database_in_a_query_string_is_a_400_with_a_message(client, admin):
    big = str(10**20)
    response = client.get(f"/api/v1/sync?since={big}")  # a cursor is "<change number>.<scope>" (docs/sync.md)
    assert response.status_code == 400
    assert "since=0" in response.get_json()["error"]["message"]  # not one the server gave out: pull from 0
    response = client.get(f"/api/v1/issues?building={big}")
    assert response.status_code == 400 and big[:20] in response.get_json()["error"]["message"]
    page = client.get(f"/conventions/new?building={2**63}")
    assert page.status_code == 400 and "过大" in page.get_data(as_text=True)
    assert client.get("/api/v1/sync?since=12").status_code == 200  # a cursor in range still pulls


@pytest.fixture
def open311(app, make_household, make_user):
    """A staff member's Open311 key and a building of theirs."""
    household = make_household()
    staff = make_user(Role.STAFF, household.building.community)
    key = app.test_cli_runner().invoke(args=["open311", "issue-key", "城市平台", "--phone", staff.phone]).output.strip()
    return {"key": key, "building": household.building, "staff": staff}


def test_open311_numbers_beyond_the_database_are_unknown_ids_not_errors(client, open311):
    key = open311["key"]
    listed = client.get("/open311/v2/requests.json", query_string={"api_key": key, "service_request_id": f"1,{10**20}"})
    assert listed.status_code == 200 and listed.get_json() == []
    assert client.get(f"/open311/v2/services.json?jurisdiction_id={10**20}").status_code == 404
    assert client.get("/open311/v2/services.json?jurisdiction_id=²").status_code == 404
    assert client.get(f"/open311/v2/requests/{2**63}.xml", query_string={"api_key": key}).status_code == 404
    posted = client.post("/open311/v2/requests.json", data={"api_key": key, "service_code": "noise",
                                                             "description": "噪音", "address_id": str(10**20)})
    assert posted.status_code == 400 and db.session.query(Problem).count() == 0


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-05:00", "0001-01-01"])
def test_open311_dates_outside_what_is_stored_are_a_400_with_a_message(client, open311, moment):
    for name in ("start_date", "end_date"):
        response = client.get("/open311/v2/requests.json", query_string={"api_key": open311["key"], name: moment})
        assert response.status_code == 400
        assert f"{name} must lie between the years 1900 and 2999" in response.get_json()[0]["description"]


@pytest.fixture
def head(make_household, make_user, login):
    """A building head signed in, with a household of their building."""
    household = make_household()
    user = make_user(Role.BUILDING_HEAD, household.building)
    return {"user": user, "household": household, "building": household.building, "token": login(user)}


def _sync(client, token, mutations):
    response = client.post("/api/v1/sync", json={"client_id": "device-1", "mutations": mutations},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200, response.get_data(as_text=True)[:300]
    return response.get_json()["results"]


def _report(building_id, text="楼道灯坏了", **extra):
    return {"id": str(uuid.uuid4()), "type": "issue.report", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"building_id": building_id, "category": "repairs", "text": text, **extra}}


def _visit(household_id, visited_at="2026-09-23T07:40:00+08:00", **extra):
    return {"id": str(uuid.uuid4()), "type": "visit.add", "client_time": "2026-09-23T07:40:00+08:00",
            "payload": {"household_id": household_id, "visited_at": visited_at, "notes": "入户走访", **extra}}


def _rejected(result, field):
    assert result["status"] == "rejected" and "retry" not in result, result
    assert field in result["error"]["fields"], result
    return result["error"]["fields"][field]


def test_a_nul_in_a_synced_text_is_rejected_with_a_reason_and_its_neighbours_are_applied(client, head):
    results = _sync(client, head["token"], [
        _report(head["building"].id, "漏水\x00了"),
        _report(head["building"].id, "漏水了"),
        _visit(head["household"].id, notes="门口\x00"),
        _visit(head["household"].id),
        _visit(head["household"].id, needs=[{"kind": "repair", "text": "水管\x00"}]),
        _report(head["building"].id, "漏水\ud800"),  # a lone surrogate: valid JSON, not UTF-8
    ])
    assert "无法保存" in _rejected(results[0], "text")  # the person's language: zh_CN by default
    assert results[1]["status"] == "applied"
    assert "无法保存" in _rejected(results[2], "notes")
    assert results[3]["status"] == "applied"
    assert results[4]["status"] == "rejected" and "retry" not in results[4]
    _rejected(results[5], "text")  # pydantic refuses it already (invalid Unicode)
    assert [p.text for p in db.session.query(Problem)] == ["漏水了"]
    assert [v.notes for v in db.session.query(Visit)] == ["入户走访"]
    again = _sync(client, head["token"], [_report(head["building"].id, "漏水\x00了") | {"id": results[0]["id"]}])
    assert again[0]["status"] == "rejected"  # the device hears the same answer: nothing to retry


def test_the_reason_is_in_english_for_a_person_who_reads_english(client, head):
    head["user"].locale = "en"
    db.session.commit()
    result = _sync(client, head["token"], [_report(head["building"].id, "leak\x00")])[0]
    assert _rejected(result, "text") == "This text holds a character that cannot be stored (such as NUL)."


@pytest.mark.parametrize("number", [*HUGE, 2**31], ids=["2**63", "10**20", "2**31"])
def test_numbers_beyond_the_database_sent_through_sync_are_rejected_not_retried(client, head, number):
    household = head["household"]
    results = _sync(client, head["token"], [
        _report(number), _report(head["building"].id, household_id=number), _visit(number), _visit(household.id),
        {"id": str(uuid.uuid4()), "type": "issue.dispatch", "payload": {"problem_id": 1, "department_ids": [1, number]}},
    ])
    assert "过大" in _rejected(results[0], "building_id")
    _rejected(results[1], "household_id")
    _rejected(results[2], "household_id")
    assert results[3]["status"] == "applied"
    _rejected(results[4], "department_ids.1")


@pytest.mark.parametrize("moment", ["0001-01-01T00:00:00+08:00", "9999-12-31T23:59:59-05:00"])
def test_dates_outside_what_is_stored_are_rejected_through_sync(client, head, moment):
    results = _sync(client, head["token"], [
        _visit(head["household"].id, visited_at=moment),
        _visit(head["household"].id, follow_up_on=moment[:10]),
        _visit(head["household"].id) | {"client_time": moment},
        _visit(head["household"].id),
    ])
    assert "1900" in _rejected(results[0], "visited_at")
    _rejected(results[1], "follow_up_on")
    _rejected(results[2], "client_time")
    assert results[3]["status"] == "applied"
    assert db.session.query(Visit).count() == 1


def test_the_json_api_refuses_id_lists_and_text_the_database_cannot_hold(client, head):
    headers = {"X-CSRFToken": head["token"]}
    response = client.post("/api/v1/issues", json={"building_id": 10**20, "category": "repairs", "text": "灯"},
                           headers=headers)
    assert response.status_code == 400 and "building_id" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/issues", json={"building_id": head["building"].id, "category": "repairs",
                                                   "text": "灯\x00"}, headers=headers)
    assert response.status_code == 400 and "text" in response.get_json()["error"]["fields"]
    response = client.post("/api/v1/issues/1/dispatch", json={"department_ids": [2**63]}, headers=headers)
    assert response.status_code == 400 and "department_ids.0" in response.get_json()["error"]["fields"]
    assert db.session.query(Problem).count() == 0


@pytest.mark.parametrize("depth", [40, 100_000])
def test_deeply_nested_json_is_a_400_with_a_message(client, head, depth):
    nested = "[" * depth + "]" * depth
    item = f'{{"id": "{uuid.uuid4()}", "type": "visit.add", "payload": {{"notes": {nested}}}}}'
    body = f'{{"client_id": "d", "mutations": [{item}]}}'
    response = client.post("/api/v1/sync", data=body, content_type="application/json",
                           headers={"X-CSRFToken": head["token"]})
    assert response.status_code == 400
    assert response.get_json()["error"]["message"] == "提交的内容嵌套层数过多。"
    shallow = client.post("/api/v1/issues", data=json.dumps({"building_id": head["building"].id, "category": "repairs",
                                                             "text": "灯", "where": [[["2门"]]]}),
                          content_type="application/json", headers={"X-CSRFToken": head["token"]})
    assert shallow.status_code == 201, shallow.get_data(as_text=True)[:300]  # a few levels are fine


def test_a_nul_in_a_form_field_is_removed_not_a_server_error(client, head):
    response = client.post("/issues/new", data={"building_id": head["building"].id, "category": "repairs",
                                                "text": "楼道\x00灯坏了", "location": "2门\x00", "source": "app",
                                                "household_id": "0", "csrf_token": head["token"]})
    assert response.status_code == 302, response.get_data(as_text=True)[:300]
    assert [(p.text, p.location) for p in db.session.query(Problem)] == [("楼道灯坏了", "2门")]


def test_a_nul_in_the_sign_in_form_is_removed(client, make_user):
    user = make_user(Role.RESIDENT)
    token = csrf_from(client.get("/auth/login").get_data(as_text=True))
    response = client.post("/auth/login", data={"phone": user.phone + "\x00", "password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302  # the phone number without the NUL is the person's: signed in


def test_a_problem_with_control_characters_is_valid_xml_and_its_json_keeps_the_text(client, open311):
    text = "电梯\x0b停了\x1b[31m 三天"
    problem = problems.report_problem(db.session, open311["staff"], open311["building"], category=Category.ELEVATOR,
                                      text=text, now=problems_now(), uuid=str(uuid.uuid4()))
    db.session.commit()
    query = {"api_key": open311["key"], "service_request_id": str(problem.id)}
    for url in ("/open311/v2/requests.xml", f"/open311/v2/requests/{problem.id}.xml"):
        response = client.get(url, query_string=query)
        assert response.status_code == 200
        root = ET.fromstring(response.data)  # raised "not well-formed (invalid token)" before
        assert root.find("request/description").text == "电梯停了[31m 三天"
    rows = client.get("/open311/v2/requests.json", query_string=query).get_json()
    assert rows[0]["description"] == text  # stored as written; only the XML leaves out what it cannot carry


def problems_now():
    """Now, from the app's one clock."""
    from app.clock import utcnow

    return utcnow()
