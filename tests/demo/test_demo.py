"""`flask demo` builds the scenario street and is harmless to run again."""
import json

from sqlalchemy import func, select

from app.extensions import db, limiter
from app.models import Building, Community, Department, Household, Room, User


def rows_per_table():
    return {t.name: db.session.execute(select(func.count()).select_from(t)).scalar() for t in db.metadata.sorted_tables}


def counts():
    return {m.__name__: db.session.scalar(select(func.count()).select_from(m))
            for m in (Community, Building, Household, Department, User)}


def test_demo_loads_the_street_and_prints_logins(app, client):
    runner = app.test_cli_runner()
    result = runner.invoke(args=["demo"])
    assert result.exit_code == 0, result.output
    assert "13800000003" in result.output and "siheyuan2026" in result.output
    first = counts()
    assert first["Community"] == 3 and first["Department"] == 6
    names = set(db.session.scalars(select(Community.name)))
    assert names == {"芳群园一区", "芳群园二区", "芳群园三区"}
    assert db.session.scalar(select(Building).where(Building.name == "24号楼")) is not None
    households = set(db.session.execute(select(Household.building_id, Household.unit, Household.room)).all())
    rooms = set(db.session.execute(select(Room.building_id, Room.unit, Room.number)).all())
    assert rooms == households  # every flat of the demo buildings is a room, with its household on record

    every_table = rows_per_table()
    again = runner.invoke(args=["demo"])
    assert again.exit_code == 0
    assert counts() == first
    assert rows_per_table() == every_table  # the features' scenario data too (problems, notices, votes, visits…)
    assert runner.invoke(args=["demo", "--json"]).exit_code == 0
    assert rows_per_table() == every_table


def test_demo_json_lists_one_account_per_role_that_can_sign_in(app, client):
    result = app.test_cli_runner().invoke(args=["demo", "--json"])
    accounts = json.loads(result.output)  # the output is the JSON and nothing else
    roles = {a["role"] for a in accounts}
    assert roles == {"admin", "street", "staff", "building_head", "resident", "department"}
    for account in accounts:
        assert set(account) == {"role", "phone", "password", "name", "scope"}
        assert all(isinstance(value, str) for value in account.values())
        assert account["scope"] or account["role"] == "admin"
    assert len({a["phone"] for a in accounts}) == len(accounts)
    head = next(a for a in accounts if a["role"] == "building_head")
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    response = client.post("/api/v1/session", json={"phone": head["phone"], "password": head["password"]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 200
    assert {r["role"] for r in response.get_json()["user"]["roles"]} == {"building_head", "resident"}


def test_every_demo_login_signs_in(app, client):
    accounts = json.loads(app.test_cli_runner().invoke(args=["demo", "--json"]).output)
    for account in accounts:
        limiter.reset()
        token = client.get("/api/v1/csrf").get_json()["csrf_token"]
        response = client.post("/api/v1/session", json={"phone": account["phone"], "password": account["password"]},
                               headers={"X-CSRFToken": token})
        assert response.status_code == 200, account
        user = response.get_json()["user"]
        assert user["name"] == account["name"] and account["role"] in {r["role"] for r in user["roles"]}
        assert client.delete("/api/v1/session", headers={"X-CSRFToken": response.get_json()["csrf_token"]}).status_code == 204


def test_if_empty_leaves_an_existing_database_alone(app, make_user, make_household):
    make_user(scope=make_household())
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty"])
    assert result.exit_code == 0
    assert counts()["Community"] == 1


def test_if_empty_with_json_answers_an_empty_list_for_an_existing_database(app, make_user, make_household):
    """A script reading the accounts as JSON gets JSON it can parse, saying no demo accounts were loaded."""
    make_user(scope=make_household())
    result = app.test_cli_runner().invoke(args=["demo", "--if-empty", "--json"])
    assert result.exit_code == 0
    assert json.loads(result.output) == []
    assert counts()["Community"] == 1


def test_the_demo_has_a_last_month_for_the_monthly_report(app, client):
    """/reports/ opens on last month: the demo street has finished problems there (two answered late)."""
    from app.demo.data import DEMO_PASSWORD

    assert app.test_cli_runner().invoke(args=["demo"]).exit_code == 0
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    client.post("/api/v1/session", json={"phone": "13800000001", "password": DEMO_PASSWORD}, headers={"X-CSRFToken": token})
    report = client.get("/api/v1/reports").get_json()
    rates = {t["key"]: t for t in report["tables"]}["rates"]["rows"]
    assert [(r["numerator"], r["denominator"]) for r in rates] == [(6, 8), (8, 8), (2, 3)]
