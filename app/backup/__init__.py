"""Backups: `flask --app wsgi backup DIR`, `backup check DIR`, `restore DIR` (docs/deploying.md, "Backups").

A backup is a folder: the database (SQLite's online backup, or pg_dump's custom format), the
instance keys, the uploaded files, and manifest.json (when, which database, rows per table, every
file's checksum), so a backup can be checked without restoring it.
"""


class BackupError(Exception):
    """A backup cannot be made, checked or restored; the message says why."""
