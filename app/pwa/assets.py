"""Content-hashed static URLs and the app-shell version the service worker caches under."""
from __future__ import annotations

import hashlib
from functools import lru_cache
from pathlib import Path

from flask import current_app, url_for

# The app shell, precached while the service worker installs: what every page needs to render
# offline (style, entry script, the header's scripts and pictures, the offline page), the manifest's
# icons, and the care home page — the page elderly residents open first — with its pictures and
# read-aloud script. Every other page's scripts and pictures are cached by the service worker the
# first time a page uses them (sw.js: cache-first, kept on fetch), so a page opened once with signal
# works offline without every feature's files costing the first load of every phone.
PRECACHE_STATIC = (
    "css/app.css",
    "js/app.js",
    "js/inbox-badge.js",
    "icons/favicon.svg",
    "icons/icon-192.png",
    "icons/icon-512.png",
    "icons/maskable-512.png",
    *(f"icons/care/{name}.svg" for name in ("report", "notices", "vote", "call")),
    "js/read-aloud.js",
    "js/sync-page.js",  # the sync page opens offline even if never visited (sw.js keepPages)
)

# ES modules imported by other modules by plain path (no hash in the URL) that every signed-in page
# and the service worker itself need: the outbox, its sync and the times they print. Precached as
# they are; other plain modules (recorder.js) are fetched network-first and kept for offline use
# when a page first uses them.
PRECACHE_MODULES = (
    "js/db.js",
    "js/outbox.js",
    "js/store.js",
    "js/sync.js",
    "js/sync-status.js",
    "js/times.js",
)


@lru_cache(maxsize=512)
def _file_hash(path: str, mtime: float) -> str:
    return hashlib.sha256(Path(path).read_bytes()).hexdigest()[:12]


def content_hash(filename: str) -> str:
    """Short hash of a static file's content (recomputed when the file changes)."""
    path = Path(current_app.static_folder) / filename
    return _file_hash(str(path), path.stat().st_mtime)


def static_url(filename: str) -> str:
    """URL of a static file with its content hash, so the service worker can cache it forever.

    Kept per app once built: a page asks for six to ten, and each stat() and url_for() cost more
    than the rest of the header. Deployed files do not change under a running process (a deployment
    restarts it); in debug mode the hash is read again on every call, as files are being edited.
    """
    app = current_app._get_current_object()
    built = app.extensions.setdefault("static_urls", {})
    found = None if app.debug else built.get(filename)
    if found is None:
        found = built[filename] = url_for("static", filename=filename, v=content_hash(filename))
    return found


def shell_version() -> str:
    """A version that changes whenever any shell file or the service worker changes."""
    digest = hashlib.sha256()
    for name in (*PRECACHE_STATIC, *PRECACHE_MODULES, "sw.js"):
        digest.update(content_hash(name).encode())
    digest.update((Path(current_app.template_folder) / "pwa" / "offline.html").read_bytes())
    return digest.hexdigest()[:12]
