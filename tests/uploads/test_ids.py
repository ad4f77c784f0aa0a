"""Upload ids are UUIDs, one spelling (issue 15, item 9): a photo named in upper case is never lost."""
import io
import uuid

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.problems.models import Problem
from app.uploads.models import Attachment


def photo() -> bytes:
    """A small JPEG."""
    out = io.BytesIO()
    Image.new("RGB", (64, 48), (200, 40, 40)).save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def resident(login, make_user, make_household):
    """A resident signed in: (user, CSRF token)."""
    user = make_user(Role.RESIDENT, make_household())
    return user, login(user)


def test_a_report_naming_its_photo_in_upper_case_gets_the_photo(client, resident):
    user, token = resident
    key = str(uuid.uuid4()).upper()  # as some devices write UUIDs
    uploaded = client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(photo()), "door.jpg")},
                          headers={"X-CSRFToken": token})
    assert uploaded.status_code == 200 and uploaded.get_json()["attachment"]["uuid"] == key.lower()
    # the same file sent again under either spelling is the same upload
    again = client.put(f"/api/v1/uploads/{key.lower()}", data={"file": (io.BytesIO(photo()), "door.jpg")},
                       headers={"X-CSRFToken": token})
    assert again.get_json()["attachment"]["uuid"] == key.lower()
    building_id = user.roles[0].household.building_id
    results = client.post("/api/v1/sync", json={"mutations": [{"id": str(uuid.uuid4()), "type": "issue.report", "payload": {
        "building_id": building_id, "category": "repairs", "text": "单元门坏了", "attachments": [key]}}]},
        headers={"X-CSRFToken": token}).get_json()["results"]
    assert results[0]["status"] == "applied"
    problem = db.session.scalar(select(Problem))
    attachment = db.session.scalar(select(Attachment))
    assert (attachment.subject_type, attachment.subject_id) == ("problem", problem.id)
    with client.get(f"/uploads/{key}/thumb") as thumb:  # the upper-case spelling finds it to view, too
        assert thumb.status_code == 200


def test_the_json_api_finds_an_upload_named_in_upper_case(client, resident):
    user, token = resident
    key = str(uuid.uuid4())
    client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(photo()), "door.jpg")}, headers={"X-CSRFToken": token})
    response = client.post("/api/v1/issues", json={"building_id": user.roles[0].household.building_id, "category": "repairs",
                                                   "text": "灯坏了", "attachments": [key.upper()]},
                           headers={"X-CSRFToken": token})
    assert response.status_code == 201
    assert db.session.scalar(select(Attachment)).subject_type == "problem"


def test_a_mutation_naming_a_photo_by_something_not_a_uuid_is_rejected_with_a_reason(client, resident):
    user, token = resident
    results = client.post("/api/v1/sync", json={"mutations": [{"id": str(uuid.uuid4()), "type": "issue.report", "payload": {
        "building_id": user.roles[0].household.building_id, "category": "repairs", "text": "单元门坏了",
        "attachments": ["photo-1.jpg"]}}]}, headers={"X-CSRFToken": token}).get_json()["results"]
    assert results[0]["status"] == "rejected" and "retry" not in results[0]
    assert results[0]["error"]["fields"]["attachments.0"]
    assert db.session.scalar(select(Problem)) is None


SOME_UUID = "3f1c2a4e-8b7d-4e21-9c5a-6d0e7f8a9b10"


@pytest.mark.parametrize("key", [
    "not-a-uuid", "------------------------------------", "0" * 32, "{" + SOME_UUID + "}",
    SOME_UUID + "0", "g" + SOME_UUID[1:],
])  # fixed, not uuid4(): pytest-xdist's workers must collect the same test ids
def test_only_a_uuid_names_an_upload(client, resident, key):
    _, token = resident
    response = client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(photo()), "a.jpg")},
                          headers={"X-CSRFToken": token})
    assert response.status_code in (400, 404)
    assert db.session.scalar(select(Attachment)) is None
