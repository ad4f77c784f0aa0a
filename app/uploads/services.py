"""Verifying and storing uploads: images are decoded by Pillow, never trusted by name."""
from __future__ import annotations

import io
import re
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from PIL import ExifTags, Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.commands import Refused
from app.models import Role, User
from app.uploads.models import Attachment

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VOICE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "image/jpeg", "MPO": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
OPENERS = ("JPEG", "PNG", "WEBP")  # Pillow's JPEG opener also reads MPO; no other decoder is tried
VARIANTS = {"display": 1280, "thumb": 320}
# Decoding costs CPU in proportion to the pixels, whatever the file's size (a PNG of black pixels
# compresses 1000 to 1), so the header's size is checked before anything is decoded. Pillow's own
# limit (Image.MAX_IMAGE_PIXELS, a global) is left as it is: these are per format, and ours.
# What is kept of a picture is at most KEEP_PIXELS (4096 × 4096): a 12- or 16-megapixel phone
# photo as it is. PNG and WebP cannot be decoded smaller, so that is their limit too (screenshots,
# pictures saved by an app). A phone photo is a JPEG: up to a 50-megapixel camera's full size
# (8192 × 6144), which libjpeg decodes at 1/2, 1/4 or 1/8 of its size (draft) to fit KEEP_PIXELS —
# no decoding of pixels thrown away, and no costly resampling.
KEEP_PIXELS = 4096 * 4096
# The chunks of a PNG that draw the picture (and its transparency, gamma and colour space): the rest is metadata.
PNG_DRAWING_CHUNKS = {b"IHDR", b"PLTE", b"IDAT", b"IEND", b"tRNS", b"gAMA", b"cHRM", b"sRGB", b"sBIT", b"bKGD"}
MAX_PICTURE_PIXELS = KEEP_PIXELS
MAX_PHOTO_PIXELS = 8192 * 6144
_UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", re.IGNORECASE)

SubjectViewer = Callable[[User, int], bool]
_VIEWERS: dict[str, SubjectViewer] = {}


class UploadRejected(Refused):
    """A file that is not an acceptable photo or voice note."""


def register_subject_viewer(subject_type: str, viewer: SubjectViewer) -> None:
    """Let a feature decide who may see the attachments of its records (e.g. "visit")."""
    _VIEWERS[subject_type] = viewer


def can_view(user: User, attachment: Attachment) -> bool:
    """Owner and admins always; otherwise whoever may see the record it is attached to."""
    if attachment.owner_id == user.id or user.has_role(Role.ADMIN):
        return True
    viewer = _VIEWERS.get(attachment.subject_type or "")
    return bool(viewer and attachment.subject_id is not None and viewer(user, attachment.subject_id))


def voice_type(data: bytes) -> str | None:
    """The audio container by its magic bytes (webm, ogg or mp4), else None."""
    if data[:4] == b"\x1a\x45\xdf\xa3":
        return "audio/webm"
    if data[:4] == b"OggS":
        return "audio/ogg"
    if data[4:8] == b"ftyp":
        return "audio/mp4"
    return None


def storage_dir(upload_root: str, attachment: Attachment) -> Path:
    """Folder of one attachment's files (spread over subfolders by uuid prefix)."""
    return Path(upload_root) / attachment.uuid[:2] / attachment.uuid


def canonical_uuid(value: object) -> str | None:
    """An upload's id as it is stored: a UUID (8-4-4-4-12 hex digits, either case) in lower case; None for anything else.

    Devices write UUIDs in either case; the route, the JSON API and the sync engine all look uploads
    up through this, so a photo sent as `ABC…` and named `abc…` (or the other way round) is found.
    """
    if not isinstance(value, str) or not _UUID.fullmatch(value):
        return None
    return value.lower()


def canonical_uuids(values: list[str], field: str = "attachments") -> list[str]:
    """Each of `values` as canonical_uuid(); Refused on the first that is not a UUID (`field.<index>`)."""
    found = []
    for index, value in enumerate(values):
        key = canonical_uuid(value)
        if key is None:
            raise Refused(_("Some fields are not valid."), "invalid", fields={f"{field}.{index}": _("Wrong format.")})
        found.append(key)
    return found


def _unreadable() -> UploadRejected:
    return UploadRejected(_("This file is not a photo we can read. Please send a JPEG, PNG or WebP picture."),
                          "bad_upload")


def _too_many_pixels(width: int, height: int, limit: int) -> UploadRejected:
    return UploadRejected(_("This picture is %(width)s × %(height)s pixels: too large. A photo may have at most "
                            "%(limit)s million pixels.", width=width, height=height, limit=limit // 1_000_000),
                          "too_large")


def _open(data: bytes) -> Image.Image:
    """The picture's header only (nothing decoded yet), in one of the accepted formats, within its pixel limit."""
    try:
        image = Image.open(io.BytesIO(data), formats=OPENERS)
    except (Image.DecompressionBombError, Image.DecompressionBombWarning):
        # Past Pillow's own limit (far beyond ours); the warning is an error where warnings are errors.
        raise UploadRejected(_("This picture is too large."), "too_large") from None
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError):
        raise _unreadable() from None
    limit = MAX_PHOTO_PIXELS if image.format in ("JPEG", "MPO") else MAX_PICTURE_PIXELS
    if image.width * image.height > limit:
        image.close()
        raise _too_many_pixels(image.width, image.height, limit)
    return image


def _reduction(width: int, height: int) -> int:
    """The smallest factor (1, 2, 4 or 8) that brings a picture within KEEP_PIXELS."""
    for factor in (1, 2, 4, 8):
        if width * height <= KEEP_PIXELS * factor**2:
            return factor
    return 8


def _decode(data: bytes) -> tuple[Image.Image, str]:
    """The picture decoded (a JPEG's first frame, at a reduced scale when it is big), within KEEP_PIXELS, and its format."""
    with _open(data) as probe:
        try:
            probe.verify()
        except (OSError, SyntaxError, ValueError):
            raise _unreadable() from None
    image = _open(data)
    fmt = image.format
    try:
        factor = _reduction(image.width, image.height)
        if factor > 1:  # only a JPEG can be this big; draft picks the largest scale giving at least the size asked
            image.draft(image.mode, (image.width // factor, image.height // factor))
        image.load()  # an MPO's first frame: the photo (the second image is a preview or a depth map)
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError, Image.DecompressionBombWarning):
        raise _unreadable() from None
    factor = _reduction(image.width, image.height)
    if factor > 1:  # draft could not (e.g. an unusual JPEG): an integer reduction, cheap as resampling goes
        image = image.reduce(factor)
    return image, fmt


def _png_without_metadata(data: bytes) -> bytes:
    """A verified PNG's own bytes with only the chunks that draw it: text, EXIF, times, profiles and animation dropped.

    Cheaper than re-encoding (which costs more CPU than decoding), and lossless.
    """
    kept, position = [data[:8]], 8
    while position + 8 <= len(data):
        length, kind = int.from_bytes(data[position:position + 4], "big"), data[position + 4:position + 8]
        end = position + 12 + length
        if kind in PNG_DRAWING_CHUNKS:
            kept.append(data[position:end])
        if kind == b"IEND":
            break
        position = end
    return b"".join(kept)


# The chunks of a still WebP that draw it (https://developers.google.com/speed/webp/docs/riff_container):
# the picture (lossy VP8 or lossless VP8L), its transparency and its colour profile; EXIF and XMP say things.
WEBP_DRAWING_CHUNKS = {b"VP8X", b"VP8 ", b"VP8L", b"ALPH", b"ICCP"}
_VP8X_ANIMATION, _VP8X_SAYING = 0x02, 0x08 | 0x04  # VP8X's flags: an animation; EXIF and XMP present


def _webp_without_metadata(data: bytes) -> bytes | None:
    """A verified still WebP's own bytes with only the chunks that draw it (EXIF and XMP dropped), else None.

    None for an animation, or a file not laid out as expected: those are encoded again instead.
    Re-encoding a 16-megapixel WebP costs more CPU than decoding it, and loses quality each time.
    """
    kept, position = [], 12
    while position + 8 <= len(data):
        kind, length = data[position:position + 4], int.from_bytes(data[position + 4:position + 8], "little")
        chunk = data[position:position + 8 + length + length % 2]  # a chunk is padded to an even length
        if len(chunk) < 8 + length:
            return None
        if kind == b"VP8X":
            if length < 10 or chunk[8] & _VP8X_ANIMATION:
                return None
            chunk = chunk[:8] + bytes([chunk[8] & ~_VP8X_SAYING]) + chunk[9:]
        if kind in WEBP_DRAWING_CHUNKS:
            kept.append(chunk)
        position += 8 + length + length % 2
    if not any(chunk[:4] in (b"VP8 ", b"VP8L") for chunk in kept):
        return None  # not laid out as read here: encoded again from what Pillow decoded
    body = b"WEBP" + b"".join(kept)
    return b"RIFF" + len(body).to_bytes(4, "little") + body


# The formats whose original is kept as sent, with what draws it only (none of them is ever reduced).
_AS_SENT = {"PNG": _png_without_metadata, "WEBP": _webp_without_metadata}


def _store_image(data: bytes, folder: Path) -> tuple[str, int, int]:
    image, fmt = _decode(data)
    upright = image.getexif().get(ExifTags.Base.Orientation, 1) in (0, 1)
    ImageOps.exif_transpose(image, in_place=True)  # keep the photo upright once EXIF is gone
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    folder.mkdir(parents=True, exist_ok=True)
    # Re-encoding without passing exif= drops all metadata, GPS included.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    # Never reduced (a PNG's or a WebP's limit is what is kept): the picture as sent, metadata dropped.
    without_metadata = _AS_SENT.get(fmt) if upright else None
    as_sent = without_metadata(data) if without_metadata else None
    if as_sent is not None:
        (folder / "original").write_bytes(as_sent)
    else:
        save_format = "JPEG" if fmt == "MPO" else fmt  # one picture: the first frame, as a plain JPEG
        # WebP's fastest method: at its default, re-encoding a big picture costs a second of CPU (bench/uploads.py).
        clean.save(folder / "original", format=save_format, **({"method": 0} if fmt == "WEBP" else {}))
    copy = clean.convert("RGB")
    for name, edge in sorted(VARIANTS.items(), key=lambda variant: -variant[1]):  # each from the one before
        copy.thumbnail((edge, edge))
        copy.save(folder / name, format="JPEG", quality=82)
    return IMAGE_FORMATS[fmt], clean.width, clean.height


def save_upload(session: Session, *, owner: User, uuid: str, filename: str, data: bytes, upload_root: str,
                now: datetime) -> Attachment:
    """Verify and store a photo or voice note; the same uuid sent again returns the stored one."""
    existing = session.scalar(select(Attachment).where(Attachment.uuid == uuid))
    if existing is not None:
        if existing.owner_id != owner.id:
            raise UploadRejected(_("This file was already sent by someone else."), "bad_upload")
        return existing
    if not data:
        raise UploadRejected(_("The file is empty."), "bad_upload")
    attachment = Attachment(uuid=uuid, owner_id=owner.id, filename=filename[:200], size=len(data), created_at=now)
    audio = voice_type(data)
    folder = storage_dir(upload_root, attachment)
    if audio is not None:
        if len(data) > MAX_VOICE_BYTES:
            raise UploadRejected(_("A voice note may be at most 5 MB."), "too_large")
        attachment.kind, attachment.content_type = "voice", audio
        folder.mkdir(parents=True, exist_ok=True)
        (folder / "original").write_bytes(data)
    else:
        if len(data) > MAX_IMAGE_BYTES:
            raise UploadRejected(_("A photo may be at most 10 MB."), "too_large")
        attachment.kind = "image"
        attachment.content_type, attachment.width, attachment.height = _store_image(data, folder)
    session.add(attachment)
    session.flush()
    return attachment


def own_attachments(session: Session, owner: User, uuids: list[str] | None) -> list[Attachment]:
    """The uploads of `owner` named by `uuids`, in that order; Refused if any is missing (not sent first)."""
    if not uuids:
        return []
    uuids = canonical_uuids(uuids)
    found = session.scalars(select(Attachment).where(Attachment.uuid.in_(uuids), Attachment.owner_id == owner.id)).all()
    if len(found) != len(set(uuids)):
        raise Refused(_("Upload the files first (PUT /api/v1/uploads/<uuid>)."), "invalid", field="attachments")
    return sorted(found, key=lambda a: uuids.index(a.uuid))


def link_attachments(session: Session, attachments: list[Attachment], subject_type: str, subject_id: int) -> None:
    """Attach uploaded files to a record (a visit, a problem…); files already linked elsewhere stay there."""
    for attachment in attachments:
        if attachment.subject_type is None:
            attachment.subject_type, attachment.subject_id = subject_type, subject_id


def attachments_of(session: Session, subject_type: str, subject_ids: list[int]) -> dict[int, list[Attachment]]:
    """Attachments of many records in one query, by record id."""
    found: dict[int, list[Attachment]] = {i: [] for i in subject_ids}
    if subject_ids:
        rows = session.scalars(select(Attachment).where(Attachment.subject_type == subject_type,
                                                        Attachment.subject_id.in_(subject_ids)).order_by(Attachment.id))
        for row in rows:
            found[row.subject_id].append(row)
    return found
