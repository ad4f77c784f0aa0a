"""The VAPID key pair (RFC 8292: `Authorization: vapid t=…, k=…`), generated once into instance/ and read from there."""
from __future__ import annotations

import base64
from functools import lru_cache
from pathlib import Path

from cryptography.hazmat.primitives import serialization
from py_vapid import Vapid02

KEY_FILE = "vapid_private.pem"


def key_path(instance_path: str) -> Path:
    """Where the private key lives."""
    return Path(instance_path) / KEY_FILE


def ensure_keys(instance_path: str) -> Path:
    """Create the key pair on first use (owner-only permissions); return the private key's path."""
    path = key_path(instance_path)
    if not path.exists():
        vapid = Vapid02()
        vapid.generate_keys()
        vapid.save_key(str(path))
        path.chmod(0o600)
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
