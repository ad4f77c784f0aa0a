"""Verifying and storing uploads: images are decoded by Pillow, never trusted by name."""
from __future__ import annotations

import io
from collections.abc import Callable
from datetime import datetime
from pathlib import Path

from flask_babel import gettext as _
from PIL import Image, ImageOps, UnidentifiedImageError
from sqlalchemy import select
from sqlalchemy.orm import Session

from app.commands import Refused
from app.models import Role, User
from app.uploads.models import Attachment

MAX_IMAGE_BYTES = 10 * 1024 * 1024
MAX_VOICE_BYTES = 5 * 1024 * 1024
IMAGE_FORMATS = {"JPEG": "image/jpeg", "PNG": "image/png", "WEBP": "image/webp"}
VARIANTS = {"display": 1280, "thumb": 320}
MAX_PIXELS = 40_000_000  # refuse decompression bombs well before memory runs out
# Pillow raises only above twice its limit and merely warns between: _store_image checks MAX_PIXELS itself.
Image.MAX_IMAGE_PIXELS = MAX_PIXELS

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


def _store_image(data: bytes, folder: Path) -> tuple[str, int, int]:
    try:
        with Image.open(io.BytesIO(data)) as probe:
            if probe.width * probe.height > MAX_PIXELS:
                raise Image.DecompressionBombError(f"{probe.width}x{probe.height} pixels")
            probe.verify()
        image = Image.open(io.BytesIO(data))
        fmt = image.format
        image.load()
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError,
            Image.DecompressionBombWarning):  # the warning is raised where warnings are errors
        raise UploadRejected(_("This file is not a photo we can read. Please send a JPEG, PNG or WebP picture."),
                             "bad_upload") from None
    if fmt not in IMAGE_FORMATS:
        raise UploadRejected(_("Only JPEG, PNG or WebP pictures can be sent."), "bad_upload")
    image = ImageOps.exif_transpose(image)  # keep the photo upright once EXIF is gone
    if image.mode not in ("RGB", "RGBA", "L"):
        image = image.convert("RGBA" if "A" in image.getbands() else "RGB")
    folder.mkdir(parents=True, exist_ok=True)
    # Re-encoding without passing exif= drops all metadata, GPS included.
    clean = Image.new(image.mode, image.size)
    clean.paste(image)
    save_format = "PNG" if fmt == "PNG" else fmt
    clean.save(folder / "original", format=save_format)
    for name, edge in VARIANTS.items():
        copy = clean.convert("RGB")
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
