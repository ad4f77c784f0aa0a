"""Content-hashed static URLs and the app-shell version the service worker caches under."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

# The app shell: what every page needs, precached so pages render offline.
PRECACHE_STATIC = (
    "css/app.css",
    "js/app.js",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/maskable-512.png",
    "icons/favicon.svg",
    "js/sync-page.js",
    "js/visits.js",
    "js/issues.js",
    "js/issue-page.js",
    "js/notices.js",
    "js/push.js",
    "js/inbox-badge.js",
    "js/conventions.js",
    "js/read-aloud.js",
    # pictures on the report forms and the care home: those pages must look right offline
    *(f"icons/care/{name}.svg" for name in ("report", "notices", "vote", "call")),
    *(f"icons/categories/{path.name}" for path in sorted((Path(__file__).parents[2] / "static/icons/categories").glob("*.svg"))),
    "js/care-report.js",
    "js/care-vote.js",
)

# ES modules imported by other modules by plain path (no hash in the URL): precached as is,
# and served network-first by the service worker so they are fresh whenever online.
PRECACHE_MODULES = (
    "js/db.js",
    "js/outbox.js",
    "js/sync.js",
    "js/store.js",
    "js/sync-status.js",
    "js/recorder.js",
)


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def content_hash(filename: str) -> str:
    """Short hash of a static file's content (recomputed when the file changes)."""
    path = Path(current_app.static_folder) / filename
    return _file_hash(str(path), path.stat().st_mtime)


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so the service worker can cache it forever."""
    return url_for("static", filename=filename, v=content_hash(filename))


def shell_version() -> str:
    """A version that changes whenever any shell file or the service worker changes."""
    digest = hashlib.sha256()
    for name in (*PRECACHE_STATIC, *PRECACHE_MODULES, "sw.js"):
        digest.update(content_hash(name).encode())
    digest.update((Path(current_app.template_folder) / "pwa" / "offline.html").read_bytes())
    return digest.hexdigest()[:12]
