"""Keep the translation catalogs: extract, update and compile (`flask --app wsgi translate …`).

Each feature that has app/<feature>/translations owns the messages of app/<feature>/ and
templates/<feature>/; every other message belongs to the shared app/translations catalog.
"""
from __future__ import annotations

from pathlib import Path

import click
from babel.messages.catalog import Catalog
from babel.messages.extract import extract_from_dir
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po, write_po
from flask.cli import AppGroup

ROOT = Path(__file__).resolve().parent.parent
# Msgids are English, so English needs no catalog. Babel resolves zh_CN to zh_Hans_CN, and
# gettext looks the catalog up under that name.
LOCALES = ("zh_Hans_CN",)
KEYWORDS = {"_": None, "gettext": None, "ngettext": (1, 2), "lazy_gettext": None, "_l": None}
METHODS = [("**.py", "python"), ("**.html", "jinja2"), ("**.txt", "jinja2")]
JINJA_OPTIONS = {"**.html": {"extensions": "jinja2.ext.do"}, "**.txt": {"extensions": "jinja2.ext.do"}}


def feature_catalog_dirs() -> dict[str, Path]:
    """Features that keep their own catalog, by name."""
    return {p.parent.name: p for p in sorted((ROOT / "app").glob("*/translations")) if p.is_dir()}


def _owner(path: Path, features: dict[str, Path]) -> str:
    rel = path.relative_to(ROOT).parts
    if rel[0] in ("app", "templates") and len(rel) > 2 and rel[1] in features:
        return rel[1]
    return ""


def extract_messages() -> dict[str, dict[str, list[tuple[str, int]]]]:
    """Every translatable message, grouped by the catalog that owns it ('' = shared)."""
    features = feature_catalog_dirs()
    found: dict[str, dict[str, list[tuple[str, int]]]] = {}
    for top in ("app", "templates"):
        for filename, lineno, message, _comments, _ctx in extract_from_dir(
            ROOT / top, method_map=METHODS, options_map=JINJA_OPTIONS, keywords=KEYWORDS
        ):
            path = ROOT / top / filename
            msgid = message[0] if isinstance(message, tuple) else message
            if not msgid:
                continue
            owner = _owner(path, features)
            found.setdefault(owner, {}).setdefault(msgid, []).append((str(path.relative_to(ROOT)), lineno))
    return found


def catalog_path(owner: str, locale: str) -> Path:
    """Where the .po file of `owner` ('' for shared) for `locale` lives."""
    base = ROOT / "app" / owner / "translations" if owner else ROOT / "app" / "translations"
    return base / locale / "LC_MESSAGES" / "messages.po"


def read_catalog(path: Path, locale: str) -> Catalog:
    """Read a .po file, or an empty catalog when it does not exist yet."""
    if not path.exists():
        return Catalog(locale=locale, project="siheyuan")
    with path.open("rb") as fh:
        return read_po(fh, locale=locale)


def update_catalogs(only: str | None = None) -> list[tuple[str, str, str]]:
    """Add new messages to the catalogs (or only `only`'s), drop vanished ones; return untranslated ids."""
    missing = []
    for owner, messages in extract_messages().items():
        if only is not None and owner != ("" if only == "shared" else only):
            continue
        for locale in LOCALES:
            path = catalog_path(owner, locale)
            old = read_catalog(path, locale)
            new = Catalog(locale=locale, project="siheyuan")
            for msgid, locations in sorted(messages.items()):
                previous = old.get(msgid)
                new.add(msgid, previous.string if previous else "", locations=locations)
                if locale == "zh_Hans_CN" and not (previous and previous.string):
                    missing.append((owner or "shared", msgid, locations[0][0]))
            path.parent.mkdir(parents=True, exist_ok=True)
            with path.open("wb") as fh:
                write_po(fh, new, width=100, sort_output=True)
    return missing


def compile_catalogs() -> int:
    """Compile every .po to .mo when the .mo is missing or older; return how many were written."""
    written = 0
    for po in sorted(ROOT.glob("app/**/translations/*/LC_MESSAGES/messages.po")):
        mo = po.with_suffix(".mo")
        if mo.exists() and mo.stat().st_mtime >= po.stat().st_mtime:
            continue
        with po.open("rb") as fh:
            catalog = read_po(fh)
        with mo.open("wb") as fh:
            write_mo(fh, catalog)
        written += 1
    return written


translate_cli = AppGroup("translate", help="Extract, update and compile the UI translations.")


@translate_cli.command("update")
@click.option("--feature", default=None, help="Only this feature's catalog (or 'shared').")
def update_command(feature: str | None) -> None:
    """Extract messages into the catalogs and list the ones still untranslated in Chinese."""
    missing = update_catalogs(feature)
    for owner, msgid, where in missing:
        click.echo(f"untranslated [{owner}] {where}: {msgid}")
    click.echo(f"{len(missing)} untranslated zh_CN message(s)")


@translate_cli.command("compile")
def compile_command() -> None:
    """Compile the catalogs into .mo files."""
    click.echo(f"compiled {compile_catalogs()} catalog(s)")


@translate_cli.command("fill")
@click.argument("translations", type=click.File("rb"))
def fill_command(translations) -> None:
    """Fill untranslated zh_CN messages from a JSON file {msgid: msgstr}, in whichever catalog holds each id.

    Existing translations are left alone: the same msgid in two catalogs must keep one meaning,
    and a fill for one feature must not rewrite another's wording.
    """
    import json

    mapping = json.load(translations)
    for po in sorted(ROOT.glob("app/**/translations/zh_Hans_CN/LC_MESSAGES/messages.po")):
        catalog = read_catalog(po, "zh_Hans_CN")
        for message in catalog:
            if message.id and message.id in mapping and not message.string:
                message.string = mapping[message.id]
        with po.open("wb") as fh:
            write_po(fh, catalog, width=100, sort_output=True)
    missing = update_catalogs()
    click.echo(f"{len(missing)} untranslated zh_CN message(s)")
