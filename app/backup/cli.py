"""`flask --app wsgi backup [create] DIR`, `backup check DIR` and `restore DIR [--force]`."""
from __future__ import annotations

from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup, with_appcontext

from app.backup import BackupError, archive


class _CreateByDefault(AppGroup):
    """`backup DIR` means `backup create DIR`; `backup check DIR` checks one."""

    def parse_args(self, ctx, args):
        """Read a first argument that names no subcommand as the folder to create."""
        if args and args[0] not in self.commands and not args[0].startswith("-"):
            args = ["create", *args]
        return super().parse_args(ctx, args)


backup_cli = _CreateByDefault("backup", help="Back up the database, the instance keys and the uploads; check a backup.")


def _instance() -> archive.Instance:
    from app.extensions import db

    return archive.Instance(db.engine, Path(current_app.instance_path), Path(current_app.config["UPLOAD_FOLDER"]))


def _summary(manifest: dict) -> str:
    database = manifest["database"]
    rows = sum(database["rows"].values())
    files = sum(1 for name in manifest["files"] if name != database["file"])
    return (f"{database['kind']} database at revision {database['revision']}: {rows} rows in "
            f"{len(database['rows'])} tables; {files} files (keys and uploads); made {manifest['created_at']}")


@backup_cli.command("create")
@click.argument("folder", type=click.Path(file_okay=False, path_type=Path))
def create_command(folder: Path):
    """Back up into FOLDER (new or empty) while the app runs; `backup check FOLDER` checks it."""
    try:
        manifest = archive.create(_instance(), folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Backed up into {folder}: {_summary(manifest)}")


@backup_cli.command("check")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
def check_command(folder: Path):
    """Check a backup against its manifest: every file's checksum, the database readable, its rows per table."""
    try:
        manifest, problems = archive.check(folder)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    if problems:
        raise click.ClickException(f"{folder} does not check:\n  " + "\n  ".join(problems))
    click.echo(f"{folder} checks: {_summary(manifest)}")


@click.command("restore")
@click.argument("folder", type=click.Path(exists=True, file_okay=False, path_type=Path))
@click.option("--force", is_flag=True, help="Replace a database that has data (and set its uploads aside).")
@with_appcontext
def restore_command(folder: Path, force: bool):
    """Restore a backup into this instance's database, instance folder and uploads (stop the app first)."""
    try:
        manifest = archive.restore(_instance(), folder, force=force)
    except BackupError as error:
        raise click.ClickException(str(error)) from None
    click.echo(f"Restored from {folder}: {_summary(manifest)}")
    click.echo("Run `flask --app wsgi db upgrade` if this code is newer than the backup, then start the app.")
