"""The VAPID key pair (RFC 8292: `Authorization: vapid t=…, k=…`), generated once into instance/ and read from there."""
from __future__ import annotations

import base64
import os
import tempfile
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

KEY_FILE = "vapid_private.pem"


def key_path(instance_path: str) -> Path:
    """Where the private key lives."""
    return Path(instance_path) / KEY_FILE


def ensure_keys(instance_path: str) -> Path:
    """Create the key pair on first use (owner-only permissions); return the private key's path.

    The web workers and the push worker all start at once and may each find no key: each writes
    its own to a private temporary file and links it into place only if none is there yet, so
    the first key stays (browsers may already have subscribed with it) and no reader ever sees a
    half-written or briefly world-readable file.
    """
    path = key_path(instance_path)
    if not path.exists():
        vapid = Vapid02()
        vapid.generate_keys()
        fd, temporary = tempfile.mkstemp(dir=path.parent, prefix=".vapid-")  # created 0600
        try:
            with os.fdopen(fd, "wb") as fh:
                fh.write(vapid.private_pem())
            os.link(temporary, path)
        except FileExistsError:
            pass  # another process's key won: use it
        finally:
            os.unlink(temporary)
    return path


@lru_cache(maxsize=4)
def _load(path: str, mtime: float) -> Vapid02:
    return Vapid02.from_file(path)


def load(instance_path: str) -> Vapid02:
    """The signing key (created if missing), cached while the file is unchanged."""
    path = ensure_keys(instance_path)
    return _load(str(path), path.stat().st_mtime)


def public_key(instance_path: str) -> str:
    """The applicationServerKey browsers subscribe with: the uncompressed P-256 point, base64url."""
    raw = load(instance_path).public_key.public_bytes(
        serialization.Encoding.X962, serialization.PublicFormat.UncompressedPoint)
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()
