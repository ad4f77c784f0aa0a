"""Bounded decoding work (issue 15, item 7): a pixel limit per format, big JPEGs decoded small, uploads per person per minute."""
import io
import struct
import uuid
import zlib

import pytest
from PIL import Image
from sqlalchemy import select

from app.extensions import db
from app.models import Role
from app.uploads.models import Attachment


def png_bomb(width: int, height: int) -> bytes:
    """A valid greyscale PNG of `width` × `height` black pixels: a few kilobytes that decode to width × height bytes.

    Made chunk by chunk with zlib, so the test never holds the decoded picture in memory.
    """
    def chunk(kind: bytes, body: bytes) -> bytes:
        return struct.pack(">I", len(body)) + kind + body + struct.pack(">I", zlib.crc32(kind + body))

    packer, row = zlib.compressobj(9), b"\x00" * (width + 1)  # filter byte 0, then one byte per pixel
    pixels = b"".join(packer.compress(row) for _ in range(height)) + packer.flush()
    header = struct.pack(">IIBBBBB", width, height, 8, 0, 0, 0, 0)  # 8-bit greyscale
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")


@pytest.fixture
def put_file(client):
    """PUT one file as the signed-in person (the CSRF token given); returns the response."""

    def put(token: str, data: bytes, name: str = "photo.jpg", key: str | None = None):
        return client.put(f"/api/v1/uploads/{key or uuid.uuid4()}", data={"file": (io.BytesIO(data), name)},
                          headers={"X-CSRFToken": token})

    return put


@pytest.fixture
def resident_token(login, make_user, make_household):
    """A resident signed in; their CSRF token."""
    return login(make_user(Role.RESIDENT, make_household()))


def test_a_small_png_that_decodes_to_40_megapixels_is_refused_with_its_size(put_file, resident_token):
    bomb = png_bomb(8000, 5000)  # 40 megapixels in a file of a few dozen kilobytes
    assert len(bomb) < 100_000
    response = put_file(resident_token, bomb, "bomb.png")
    assert response.status_code == 413
    message = response.get_json()["error"]["message"]
    assert "8000 × 5000" in message and "像素" in message  # the person is told what is wrong with this picture
    assert db.session.scalar(select(Attachment)) is None


def test_a_png_screenshot_within_the_limit_still_goes_through(put_file, resident_token):
    response = put_file(resident_token, png_bomb(1440, 3200), "screenshot.png")  # a phone's full-screen capture
    assert response.status_code == 200
    assert response.get_json()["attachment"]["content_type"] == "image/png"


def test_a_big_phone_jpeg_is_accepted_and_kept_at_a_bounded_size(client, put_file, resident_token):
    """A 20-megapixel photo (phones take them) is stored, decoded at half its size: at most 16.8 megapixels kept."""
    out = io.BytesIO()
    Image.new("RGB", (5000, 4000), (30, 90, 160)).save(out, "JPEG")
    response = put_file(resident_token, out.getvalue(), "big.jpg")
    assert response.status_code == 200
    body = response.get_json()["attachment"]
    with client.get(body["url"]) as stored:
        width, height = Image.open(io.BytesIO(stored.data)).size
    assert (width, height) == (2500, 2000)
    with client.get(body["display_url"]) as display:
        assert Image.open(io.BytesIO(display.data)).size == (1280, 1024)


def test_a_jpeg_over_50_megapixels_is_refused_before_it_is_decoded(put_file, resident_token):
    """Only the header is read: a JPEG claiming 10000 × 6000 pixels is refused whatever follows it."""
    out = io.BytesIO()
    Image.new("RGB", (16, 16)).save(out, "JPEG")
    data = bytearray(out.getvalue())
    sof = data.index(b"\xff\xc0")  # baseline frame header: length (2), precision (1), height (2), width (2)
    data[sof + 5:sof + 9] = struct.pack(">HH", 6000, 10000)
    response = put_file(resident_token, bytes(data), "huge.jpg")
    assert response.status_code == 413 and "10000 × 6000" in response.get_json()["error"]["message"]


def test_uploads_are_limited_per_person_and_others_are_unaffected(app, client, put_file, login, make_user,
                                                                  make_household, monkeypatch):
    """After the configured number in a minute, 429 with Retry-After (the outbox keeps the file and sends it later)."""
    monkeypatch.setitem(app.config, "UPLOAD_RATE_LIMIT", "3 per minute")
    out = io.BytesIO()
    Image.new("RGB", (40, 30), (1, 2, 3)).save(out, "PNG")
    photo = out.getvalue()
    token = login(make_user(Role.RESIDENT, make_household()))
    assert [put_file(token, photo, "a.png").status_code for _ in range(3)] == [200, 200, 200]
    refused = put_file(token, photo, "a.png")
    assert refused.status_code == 429
    assert refused.get_json()["error"]["code"] == "too_many_requests" and refused.get_json()["error"]["message"]
    assert int(refused.headers["Retry-After"]) > 0
    assert db.session.query(Attachment).count() == 3
    token = login(make_user(Role.RESIDENT, make_household()))  # someone else, same address
    assert put_file(token, photo, "b.png").status_code == 200


def test_the_upload_limit_defaults_to_30_a_minute(app):
    assert app.config["UPLOAD_RATE_LIMIT"] == "30 per minute"
