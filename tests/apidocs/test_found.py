"""Crash cases the fuzzing of the JSON API found (tests/apidocs/test_fuzz.py), kept by name.

The first was an integer beyond the database's range in a command's body (issue 15 item 4, now
refused in one place for every route: app/inputs.py).
"""
from __future__ import annotations

from app.models import Role


def test_reporting_a_problem_in_building_2_to_the_64_is_refused_not_a_server_error(client, login, make_household,
                                                                                    make_user):
    household = make_household()
    token = login(make_user(Role.RESIDENT, household))
    answer = client.post("/api/v1/issues", json={"building_id": 2**64, "category": "other", "text": "楼道灯不亮"},
                         headers={"X-CSRFToken": token})
    assert answer.status_code in (400, 404)
    assert answer.get_json()["error"]["code"] in ("invalid", "not_found")
