"""Making, checking and restoring a backup folder; the database-specific parts are in databases.py."""
from __future__ import annotations

import hashlib
import json
import os
import shutil
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy.engine import Engine

from app.backup import BackupError, databases

FORMAT = 1
MANIFEST = "manifest.json"
# The instance's keys: the session secret (when not given in SECRET_KEY) and the VAPID key browsers subscribed with.
KEYS = ("secret_key", "vapid_private.pem")


@dataclass(frozen=True)
class Instance:
    """Where one installation keeps its state: the database, the instance folder and the uploads."""

    engine: Engine
    instance_path: Path
    upload_folder: Path


def create(instance: Instance, folder: Path, *, now: datetime | None = None) -> dict:
    """Back the instance up into `folder` (new or empty) and return the manifest written there last.

    The database first, then the files: an upload is written before its row is committed, so
    every file the copied database names is already on disk when the files are copied.
    """
    if folder.exists() and any(folder.iterdir()):
        raise BackupError(f"{folder} is not empty: give a new folder for each backup")
    folder.mkdir(parents=True, exist_ok=True, mode=0o700)
    folder.chmod(0o700)  # keys and personal data: only the service account reads a backup
    kind = instance.engine.dialect.name
    database_file = databases.FILE_NAMES[kind]
    rows, revision = databases.dump(instance.engine, folder / database_file)
    files = {database_file: _digest(folder / database_file)}
    for name in KEYS:
        source = instance.instance_path / name
        if source.is_file():
            files[f"instance/{name}"] = _copy(source, folder / "instance" / name)
    if instance.upload_folder.is_dir():
        for source in sorted(p for p in instance.upload_folder.rglob("*") if p.is_file()):
            relative = source.relative_to(instance.upload_folder).as_posix()
            files[f"uploads/{relative}"] = _copy(source, folder / "uploads" / relative)
    manifest = {
        "siheyuan_backup": FORMAT,
        "created_at": (now or datetime.now(UTC)).isoformat(timespec="seconds"),
        "database": {"kind": kind, "file": database_file, "revision": revision, "rows": rows},
        "files": files,
    }
    (folder / MANIFEST).write_text(json.dumps(manifest, indent=1, sort_keys=True, ensure_ascii=False) + "\n")
    return manifest


def read_manifest(folder: Path) -> dict:
    """The backup's manifest, or BackupError when it is missing or unreadable (an unfinished backup)."""
    try:
        manifest = json.loads((folder / MANIFEST).read_text())
    except FileNotFoundError:
        raise BackupError(f"{folder / MANIFEST} is missing: the backup did not finish, or this is no backup") from None
    except (ValueError, UnicodeDecodeError) as error:
        raise BackupError(f"{folder / MANIFEST} is unreadable: {error}") from None
    if manifest.get("siheyuan_backup") != FORMAT:
        raise BackupError(f"{folder / MANIFEST} is not a Siheyuan backup manifest of format {FORMAT}")
    return manifest


def check(folder: Path) -> tuple[dict, list[str]]:
    """The manifest and every problem found: files missing, changed or unlisted; the database unreadable or its rows off."""
    manifest = read_manifest(folder)
    problems = []
    listed = manifest["files"]
    for name, expected in sorted(listed.items()):
        path = folder / name
        if not path.is_file():
            problems.append(f"{name}: missing")
        elif _digest(path) != expected:
            problems.append(f"{name}: changed since the backup (checksum differs)")
    for path in sorted(p for p in folder.rglob("*") if p.is_file()):
        name = path.relative_to(folder).as_posix()
        if name != MANIFEST and name not in listed:
            problems.append(f"{name}: not in the manifest")
    database = manifest["database"]
    if not problems:  # a damaged file cannot be read reliably; say so once, above
        try:
            rows = databases.count_rows_in_file(database["kind"], folder / database["file"])
        except BackupError as error:
            problems.append(f"{database['file']}: {error}")
        else:
            for table in sorted(set(rows) | set(database["rows"])):
                if rows.get(table) != database["rows"].get(table):
                    problems.append(f"{database['file']}: table {table} holds {rows.get(table)} rows, "
                                    f"the manifest says {database['rows'].get(table)}")
    return manifest, problems


def data_in(instance: Instance) -> list[str]:
    """What the instance already holds that a restore would replace (tables with rows, uploaded files)."""
    held = [f"{count} rows in {table}" for table, count in sorted(databases.count_rows(instance.engine).items())
            if count and table not in databases.BOOKKEEPING]
    if instance.upload_folder.is_dir() and any(p.is_file() for p in instance.upload_folder.rglob("*")):
        held.append(f"files in {instance.upload_folder}")
    return held


def restore(instance: Instance, folder: Path, *, force: bool = False) -> dict:
    """Restore the backup in `folder` into the instance; refuse a damaged backup, and an instance with data unless forced.

    With `force`, the database's tables are replaced and the uploads folder in place is kept beside
    the restored one as uploads.replaced-<time> for the operator to remove.
    """
    manifest, problems = check(folder)
    if problems:
        raise BackupError("the backup does not check, nothing was restored:\n  " + "\n  ".join(problems))
    kind = manifest["database"]["kind"]
    if kind != instance.engine.dialect.name:
        raise BackupError(f"this is a backup of a {kind} database; the app is set up for {instance.engine.dialect.name}")
    held = data_in(instance)
    if held and not force:
        raise BackupError("the instance has data (" + ", ".join(held[:5]) + (", …" if len(held) > 5 else "")
                          + "): nothing was restored. Add --force to replace it.")
    databases.load(instance.engine, folder / manifest["database"]["file"])
    rows = databases.count_rows(instance.engine)
    wrong = {t: (rows.get(t), n) for t, n in manifest["database"]["rows"].items() if rows.get(t) != n}
    if wrong:
        raise BackupError(f"the restored database does not hold the backup's rows: {wrong}")
    for name in KEYS:
        if f"instance/{name}" in manifest["files"]:
            _install_key(folder / "instance" / name, instance.instance_path / name)
    uploads = instance.upload_folder
    if uploads.exists() and any(uploads.iterdir()):
        uploads.rename(uploads.with_name(f"{uploads.name}.replaced-{datetime.now(UTC):%Y%m%dT%H%M%S}"))
    for name in manifest["files"]:
        if name.startswith("uploads/"):
            _copy(folder / name, uploads / name.removeprefix("uploads/"))
    return manifest


def _install_key(source: Path, target: Path) -> None:
    """Put a key in place whole and owner-only: written beside, then renamed over the old one."""
    target.parent.mkdir(parents=True, exist_ok=True)
    temporary = target.with_name(f".{target.name}.restoring")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(source.read_bytes())
    os.replace(temporary, target)


def _copy(source: Path, target: Path) -> dict:
    """Copy one file and return the checksum of what was written (read once, hashed as it is copied)."""
    target.parent.mkdir(parents=True, exist_ok=True)
    digest, size = hashlib.sha256(), 0
    with source.open("rb") as reader, target.open("wb") as writer:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
            writer.write(chunk)
            size += len(chunk)
    shutil.copymode(source, target)
    return {"sha256": digest.hexdigest(), "bytes": size}


def _digest(path: Path) -> dict:
    digest, size = hashlib.sha256(), 0
    with path.open("rb") as reader:
        while chunk := reader.read(1 << 20):
            digest.update(chunk)
            size += len(chunk)
    return {"sha256": digest.hexdigest(), "bytes": size}
