"""PUT /api/v1/uploads/<uuid>: photos decoded and cleaned, voice notes checked, everything else refused."""
import io
import uuid

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from app.models import Role


def jpeg_with_gps(size=(800, 600)) -> bytes:
    image = Image.new("RGB", size, (20, 120, 40))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"  # Make
    exif[0x8825] = {1: "N", 2: (39.0, 52.0, 0.0), 3: "E", 4: (116.0, 25.0, 0.0)}  # GPS
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue()


@pytest.fixture
def uploader(client, login, make_user, make_household):
    user = make_user(Role.RESIDENT, make_household())
    token = login(user)

    def put(data: bytes, name: str, key: str | None = None):
        key = key or str(uuid.uuid4())
        # Encoded in memory: the test client would otherwise spool big bodies to a file it never closes.
        boundary, body = encode_multipart({"file": FileStorage(io.BytesIO(data), filename=name)})
        response = client.put(f"/api/v1/uploads/{key}", input_stream=io.BytesIO(body), headers={"X-CSRFToken": token},
                              content_type=f"multipart/form-data; boundary={boundary}", content_length=len(body))
        return key, response

    return put


def test_photo_is_stored_without_exif_and_resized(client, uploader):
    original = jpeg_with_gps((2000, 1500))
    assert Image.open(io.BytesIO(original)).getexif().get(0x8825)
    key, response = uploader(original, "door.jpg")
    assert response.status_code == 200
    body = response.get_json()["attachment"]
    assert body["kind"] == "image" and body["content_type"] == "image/jpeg"
    with client.get(body["url"]) as stored:
        image = Image.open(io.BytesIO(stored.data))
        assert not image.getexif()
        assert image.size == (2000, 1500)
    with client.get(body["thumb_url"]) as thumb:
        assert max(Image.open(io.BytesIO(thumb.data)).size) == 320
    _, again = uploader(original, "door.jpg", key)  # a retried upload is the same file
    assert again.get_json()["attachment"]["uuid"] == key


@pytest.mark.parametrize(
    ("data", "name", "status", "message"),
    [
        (b"not a picture at all", "photo.jpg", 400, "这个文件不是可以识别的照片"),
        (b"RIFF\x00\x00\x00\x00WAVEfmt ", "voice.wav", 400, "这个文件不是可以识别的照片"),
        (b"\x1a\x45\xdf\xa3" + b"\x00" * (5 * 1024 * 1024), "voice.webm", 413, "语音不能超过 5 MB"),
        (b"\xff\xd8\xff" + b"\x00" * (10 * 1024 * 1024), "big.jpg", 413, "照片不能超过 10 MB"),
    ],
)
def test_bad_files_are_refused_with_a_reason(uploader, data, name, status, message):
    _, response = uploader(data, name)
    assert response.status_code == status
    assert message in response.get_json()["error"]["message"]


def test_voice_note_is_accepted_by_its_magic_bytes(uploader):
    _, response = uploader(b"OggS" + b"\x00" * 1000, "voice.ogg")
    assert response.get_json()["attachment"]["content_type"] == "audio/ogg"


def test_files_are_private_to_owner_and_viewers(client, uploader, make_user, login):
    _, response = uploader(jpeg_with_gps(), "door.jpg")
    url = response.get_json()["attachment"]["url"]
    login(make_user(Role.RESIDENT))
    assert client.get(url).status_code == 403


def image_bytes(fmt: str, size=(2000, 1000)) -> bytes:
    """A picture of the given format and size."""
    out = io.BytesIO()
    Image.new("RGB", size, (200, 30, 30)).save(out, fmt)
    return out.getvalue()


@pytest.mark.parametrize(("fmt", "content_type"), [("PNG", "image/png"), ("WEBP", "image/webp"), ("JPEG", "image/jpeg")])
def test_each_picture_format_gets_a_display_copy_and_a_thumbnail(client, uploader, fmt, content_type):
    _, response = uploader(image_bytes(fmt), "picture.bin")  # the name says nothing: the bytes decide
    body = response.get_json()["attachment"]
    assert body["content_type"] == content_type
    with client.get(body["url"]) as original:
        assert original.content_type == content_type
        assert original.headers["Cache-Control"].startswith("private")
    with client.get(body["display_url"]) as display:
        assert display.content_type == "image/jpeg"
        assert Image.open(io.BytesIO(display.data)).size == (1280, 640)
    with client.get(body["thumb_url"]) as thumb:
        assert Image.open(io.BytesIO(thumb.data)).size == (320, 160)


@pytest.mark.parametrize(("data", "content_type"), [
    (b"\x1a\x45\xdf\xa3" + b"\x00" * 200, "audio/webm"),
    (b"\x00\x00\x00\x20ftypM4A " + b"\x00" * 200, "audio/mp4"),
])
def test_voice_notes_are_served_as_what_their_bytes_are(client, uploader, data, content_type):
    _, response = uploader(data, "note.dat")
    body = response.get_json()["attachment"]
    assert body["kind"] == "voice" and "thumb_url" not in body
    with client.get(body["url"]) as stored:
        assert stored.content_type == content_type and stored.data == data
    with client.get(body["url"].replace("/original", "/thumb")) as thumb:
        assert thumb.status_code == 404


def test_someone_else_cannot_take_over_an_uploaded_uuid(client, uploader, make_user, make_household, login):
    key, _ = uploader(image_bytes("PNG", (10, 10)), "a.png")
    other = make_user(Role.RESIDENT, make_household())
    token = login(other)
    response = client.put(f"/api/v1/uploads/{key}", data={"file": (io.BytesIO(image_bytes("PNG", (10, 10))), "b.png")},
                          headers={"X-CSRFToken": token})
    assert response.status_code == 400 and response.get_json()["error"]["message"]


def test_missing_file_and_bad_uuid_are_refused(client, uploader, login, make_user):
    token = login(make_user())
    missing = client.put(f"/api/v1/uploads/{uuid.uuid4()}", data={}, headers={"X-CSRFToken": token})
    assert missing.status_code == 400 and missing.get_json()["error"]["fields"]["file"]
    bad = client.put("/api/v1/uploads/not-a-uuid!", data={"file": (io.BytesIO(b"x"), "a.png")}, headers={"X-CSRFToken": token})
    assert bad.status_code in (400, 404)


@pytest.mark.parametrize(("who", "status"),
                         [("owner", 200), ("admin", 200), ("viewer", 200), ("stranger", 403), ("anonymous", 401)])
def test_who_may_see_an_attachment(client, uploader, make_user, make_household, login, who, status):
    """attachment.view: its owner, an admin, or whom the subject's feature allows (a registered viewer)."""
    from app.extensions import db
    from app.uploads.models import Attachment
    from app.uploads.services import link_attachments, register_subject_viewer

    key, response = uploader(image_bytes("PNG", (10, 10)), "a.png")
    url = response.get_json()["attachment"]["url"]
    viewer = make_user(Role.RESIDENT, make_household(), name="看得见的人")
    register_subject_viewer("test_subject", lambda user, subject_id: user.name == "看得见的人" and subject_id == 7)
    attachment = db.session.query(Attachment).filter_by(uuid=key).one()
    link_attachments(db.session, [attachment], "test_subject", 7)
    db.session.commit()
    if who == "admin":
        login(make_user(Role.ADMIN))
    elif who == "viewer":
        login(viewer)
    elif who == "stranger":
        login(make_user(Role.RESIDENT, make_household()))
    elif who == "anonymous":
        token = client.get("/api/v1/csrf").get_json()["csrf_token"]
        client.delete("/api/v1/session", headers={"X-CSRFToken": token})
    with client.get(url) as response:
        assert response.status_code in ((status,) if status != 401 else (401, 302))



def test_the_pixel_limit_is_ours_and_exact(uploader, monkeypatch):
    """The header's size is checked against our limit, Pillow's global one left alone: the limit passes, one more is refused."""
    from app.uploads import services

    pillow_default = 1024 * 1024 * 1024 // 4 // 3
    assert pillow_default == Image.MAX_IMAGE_PIXELS  # no global side effect
    monkeypatch.setattr(services, "MAX_PICTURE_PIXELS", 1200)
    _, response = uploader(image_bytes("PNG", (40, 30)), "limit.png")
    assert response.status_code == 200
    _, response = uploader(image_bytes("PNG", (41, 30)), "over.png")
    assert response.status_code == 413
    assert "41 × 30" in response.get_json()["error"]["message"]


def test_a_jpeg_with_a_second_image_is_a_photo_kept_as_its_first_frame(client, uploader):
    """Some phone cameras write MPO (a JPEG followed by a second picture): the first picture is kept, as a JPEG."""
    first, second = Image.new("RGB", (640, 480), (200, 30, 30)), Image.new("RGB", (320, 240), (30, 30, 200))
    out = io.BytesIO()
    first.save(out, "MPO", save_all=True, append_images=[second])
    assert Image.open(io.BytesIO(out.getvalue())).format == "MPO"
    _, response = uploader(out.getvalue(), "IMG_0001.JPG")
    assert response.status_code == 200
    body = response.get_json()["attachment"]
    assert body["kind"] == "image" and body["content_type"] == "image/jpeg"
    with client.get(body["url"]) as stored:
        assert stored.content_type == "image/jpeg"
        image = Image.open(io.BytesIO(stored.data))
        assert (image.format, image.size) == ("JPEG", (640, 480))
        assert image.convert("RGB").getpixel((320, 240))[0] > 150  # the first picture, not the second


def test_a_png_keeps_its_pixels_and_loses_its_text_and_exif(client, uploader):
    """A PNG's original is its own picture without the chunks that say things (text, EXIF, times)."""
    from PIL import PngImagePlugin

    picture = Image.new("RGBA", (300, 200), (10, 200, 30, 128))
    picture.putpixel((7, 9), (250, 1, 2, 255))
    info = PngImagePlugin.PngInfo()
    info.add_text("Comment", "拍摄于 6号楼 302")
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    picture.save(out, "PNG", pnginfo=info, exif=exif)
    assert b"iTXt" in out.getvalue() and b"eXIf" in out.getvalue()
    _, response = uploader(out.getvalue(), "screen.png")
    with client.get(response.get_json()["attachment"]["url"]) as stored:
        assert not any(kind in stored.data for kind in (b"tEXt", b"iTXt", b"zTXt", b"eXIf", "6号楼".encode()))
        image = Image.open(io.BytesIO(stored.data))
        assert not image.getexif() and not image.text
        assert image.tobytes() == picture.tobytes()


def test_a_webp_keeps_its_picture_as_sent_and_loses_its_exif_and_xmp(client, uploader):
    """A still WebP's original is its own picture (not encoded again) without the chunks that say things."""
    picture = Image.new("RGBA", (300, 200), (10, 200, 30, 128))
    picture.putpixel((7, 9), (250, 1, 2, 255))
    exif = Image.Exif()
    exif[0x010F] = "PhoneMaker"
    out = io.BytesIO()
    picture.save(out, "WEBP", lossless=True, exif=exif, xmp="<x:xmpmeta>拍摄于 6号楼 302</x:xmpmeta>".encode())
    assert b"EXIF" in out.getvalue() and b"XMP " in out.getvalue()
    _, response = uploader(out.getvalue(), "screen.webp")
    with client.get(response.get_json()["attachment"]["url"]) as stored:
        assert stored.content_type == "image/webp"
        assert not any(said in stored.data for said in (b"EXIF", b"XMP ", b"PhoneMaker", "6号楼".encode()))
        image = Image.open(io.BytesIO(stored.data))
        assert not image.getexif() and "xmp" not in image.info
        assert image.tobytes() == picture.tobytes()


def test_an_animated_webp_is_kept_as_its_first_picture(client, uploader):
    frames = [Image.new("RGB", (120, 80), colour) for colour in ((200, 20, 20), (20, 20, 200))]
    out = io.BytesIO()
    frames[0].save(out, "WEBP", save_all=True, append_images=frames[1:], duration=500, lossless=True)
    _, response = uploader(out.getvalue(), "moving.webp")
    with client.get(response.get_json()["attachment"]["url"]) as stored:
        image = Image.open(io.BytesIO(stored.data))
        assert (image.format, getattr(image, "n_frames", 1)) == ("WEBP", 1)
        assert image.convert("RGB").getpixel((60, 40))[0] > 150  # the first picture, not the second
