"""One app process for tests/auth/test_shared_limits.py: sign-in attempts in, status codes out.

`python -m tests.auth.limit_worker DATABASE_URL STORAGE_URI KEY_PREFIX` builds the app as a gunicorn
worker would (its own process, its own memory), with the README's sign-in limits, then reads one
JSON attempt a line ({"via": "page" | "api", "phone", "password", "ip"}) and writes its status code;
"via": "upload" signs in and sends a photo instead (the status of the upload).
"""
from __future__ import annotations

import io
import json
import sys
import uuid

from PIL import Image

from app import create_app
from app.config import TestingConfig, settings_from

# The production limits (app/config.py SETTINGS, nothing set), not TestingConfig's looser ones.
DEFAULTS = settings_from({})


def attempt(app, via: str, phone: str, password: str, ip: str) -> int:
    """One sign-in from a fresh browser at address `ip`, on the page or through the API."""
    client = app.test_client()
    env = {"REMOTE_ADDR": ip}
    if via == "page":
        html = client.get("/auth/login", environ_base=env).get_data(as_text=True)
        token = html.split('name="csrf_token" type="hidden" value="', 1)[1].split('"', 1)[0]
        return client.post("/auth/login", data={"phone": phone, "password": password, "csrf_token": token},
                           environ_base=env).status_code
    token = client.get("/api/v1/csrf", environ_base=env).get_json()["csrf_token"]
    return client.post("/api/v1/session", json={"phone": phone, "password": password},
                       headers={"X-CSRFToken": token}, environ_base=env).status_code


def upload(app, phone: str, password: str, ip: str) -> int:
    """Sign in through the API, then send a photo: PUT /api/v1/uploads/<uuid>, counted per person as it writes."""
    client = app.test_client()
    env = {"REMOTE_ADDR": ip}
    token = client.get("/api/v1/csrf", environ_base=env).get_json()["csrf_token"]
    token = client.post("/api/v1/session", json={"phone": phone, "password": password},
                        headers={"X-CSRFToken": token}, environ_base=env).get_json()["csrf_token"]
    photo = io.BytesIO()
    Image.new("RGB", (64, 48), (1, 2, 3)).save(photo, "PNG")
    return client.put(f"/api/v1/uploads/{uuid.uuid4()}", data={"file": (io.BytesIO(photo.getvalue()), "a.png")},
                      headers={"X-CSRFToken": token}, content_type="multipart/form-data", environ_base=env).status_code


def main(database_url: str, storage_uri: str, key_prefix: str) -> None:
    """Serve attempts from stdin until it closes."""
    app = create_app(TestingConfig, SQLALCHEMY_DATABASE_URI=database_url, RATELIMIT_STORAGE_URI=storage_uri,
                     RATELIMIT_KEY_PREFIX=key_prefix, LOGIN_RATE_LIMIT=DEFAULTS["LOGIN_RATE_LIMIT"],
                     LOGIN_ACCOUNT_RATE_LIMIT=DEFAULTS["LOGIN_ACCOUNT_RATE_LIMIT"],
                     LOGIN_ADDRESS_RATE_LIMIT=DEFAULTS["LOGIN_ADDRESS_RATE_LIMIT"])
    print("ready", flush=True)
    for line in sys.stdin:
        item = json.loads(line)
        if item["via"] == "upload":
            print(upload(app, item["phone"], item["password"], item["ip"]), flush=True)
        else:
            print(attempt(app, item["via"], item["phone"], item["password"], item["ip"]), flush=True)


if __name__ == "__main__":
    main(*sys.argv[1:4])
