"""Issue 15 item 14: schemathesis against the published document, in-process, signed in as a resident and as staff.

Every operation of /api/v1/openapi.json gets a bounded number of generated requests (valid and
invalid ones), and each answer must be no server error and agree with the document: a declared
status, the declared content type and a body its schema accepts. The document is the one the app
serves (built at collection from the same code; test_openapi.py checks they are equal).
"""
from __future__ import annotations

import os
from uuid import uuid4

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from app import create_app
from app.apidocs.spec import build
from app.clock import utcnow
from app.config import TestingConfig
from app.extensions import db
from app.models import Role
from app.problems.models import Category
from app.problems.services import report_problem
from tests.conftest import PASSWORD

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation, each sent as both people: 34 operations × EXAMPLES × 2 requests (plus
# the coverage phase) stay within 3 minutes per database on the 2-core CI machine.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def _document() -> dict:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context():
        return build(app)


schema = schemathesis.openapi.from_dict(_document())


def sign_in(app, user) -> tuple[object, dict]:
    """A client of its own signed in as `user` through the JSON API, and what every call of it sends."""
    client = app.test_client()
    token = client.get("/api/v1/csrf").get_json()["csrf_token"]
    answer = client.post("/api/v1/session", json={"phone": user.phone, "password": PASSWORD},
                         headers={"X-CSRFToken": token})
    assert answer.status_code == 200, answer.get_data(as_text=True)
    # Identity: schemathesis' in-process transport reads the body as sent, and the app compresses big answers.
    # The session cookie is given with every call: the document names it (securitySchemes), and
    # schemathesis would otherwise send made-up values in its place and sign the client out.
    return client, {"headers": {"X-CSRFToken": answer.get_json()["csrf_token"], "Accept-Encoding": "identity"},
                    "cookies": {"session": client.get_cookie("session").value}}


# One parameter, so that each test's id names its operation (pytest shows schemathesis' label only
# for parametrized items): test_api_keeps_its_contract[GET /api/v1/me][resident+staff].
@pytest.fixture(params=["resident+staff"])
def people(app, make_building, make_household, make_user):
    """A building with a household and a problem; its resident and the community's staff, each signed in."""
    building = make_building()
    household = make_household(building)
    resident = make_user(Role.RESIDENT, household)
    staff = make_user(Role.STAFF, building.community)
    report_problem(db.session, resident, building, category=Category.OTHER, text="楼道灯不亮", now=utcnow(),
                   uuid=str(uuid4()), household=household)
    db.session.commit()
    return {"resident": sign_in(app, resident), "staff": sign_in(app, staff)}


# The coverage phase (boundaries, missing and wrongly typed fields, other methods) runs with the
# explicit one; for the sync batch, a oneOf of every offline command, it alone would send some
# thousands of batches, so that operation gets generated examples only, more of them.
SETTINGS = {"deadline": None, "derandomize": True, "suppress_health_check": list(HealthCheck)}


@schema.exclude(path="/api/v1/sync", method="POST").parametrize()
@settings(max_examples=EXAMPLES, phases=[Phase.explicit, Phase.generate], **SETTINGS)
def test_api_keeps_its_contract(case, app, people):
    """No server error and no answer outside the document, whatever is sent, by a resident or by staff."""
    call(case, app, people)


@schema.include(path="/api/v1/sync", method="POST").parametrize()
@settings(max_examples=4 * EXAMPLES, phases=[Phase.generate], **SETTINGS)
def test_sync_push_keeps_its_contract(case, app, people):
    """Batches of every mutation type, valid and not: no server error, and each answer as documented."""
    call(case, app, people)


def call(case, app, people) -> None:
    """Send the case as the resident, then as staff, and run the four checks on each answer."""
    for who, (client, sends) in people.items():
        try:
            case.call_and_validate(app=app, session=client, checks=CHECKS, **sends)
        except Exception as exc:
            exc.add_note(f"(sent as the {who})")
            raise
