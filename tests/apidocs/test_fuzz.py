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
from app.config import TestingConfig
from app.models import Role
from app.problems.models import Category
from app.problems.services import report_problem

CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]
# Examples per operation and person: 34 operations × 2 people × EXAMPLES requests stay within
# 3 minutes per database on the 2-core CI machine.
EXAMPLES = int(os.environ.get("FUZZ_EXAMPLES", "12"))


def _document() -> dict:
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI="sqlite://")
    with app.test_request_context():
        return build(app)


schema = schemathesis.openapi.from_dict(_document())


@pytest.fixture(params=["resident", "staff"])
def signed_in(request, client, login, make_building, make_household, make_user):
    """A building with a household and a problem; the resident of that household or the community's staff, signed in."""
    building = make_building()
    household = make_household(building)
    resident = make_user(Role.RESIDENT, household)
    staff = make_user(Role.STAFF, building.community)
    from app.clock import utcnow
    from app.extensions import db

    report_problem(db.session, resident, building, category=Category.OTHER, text="楼道灯不亮", now=utcnow(),
                   uuid=str(uuid4()), household=household)
    db.session.commit()
    token = login(resident if request.param == "resident" else staff)
    # Identity: schemathesis' in-process transport reads the body as sent, and the app compresses big answers.
    return {"X-CSRFToken": token, "Accept-Encoding": "identity"}


@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, derandomize=True, phases=[Phase.explicit, Phase.generate],
          suppress_health_check=list(HealthCheck))
def test_api_keeps_its_contract(case, app, client, signed_in):
    """No server error and no answer outside the document, whatever is sent."""
    case.call_and_validate(app=app, session=client, headers=signed_in, checks=CHECKS)
