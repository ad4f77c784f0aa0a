"""Language and time display: Chinese first, English available; times in Asia/Shanghai."""
from __future__ import annotations

from datetime import datetime
from functools import cache
from pathlib import Path

from babel import Locale
from flask import Flask, current_app, has_request_context, session
from flask_babel import format_datetime, get_locale, get_translations
from flask_login import current_user
from jinja2 import pass_context
from markupsafe import Markup

from app.clock import to_local

APP_DIR = Path(__file__).resolve().parent


def translation_directories() -> list[str]:
    """The shared catalog plus each feature's own (app/<feature>/translations).

    Flask-Babel merges catalogs from several directories, so each feature keeps its
    messages beside its code and features never edit one shared file.
    """
    dirs = [APP_DIR / "translations", *sorted(p for p in APP_DIR.glob("*/translations") if p.is_dir())]
    return [str(d) for d in dirs]


@cache
def parsed_locale(identifier: str) -> Locale:
    """The Babel Locale of an identifier such as zh_CN, parsed once per process.

    Flask-Babel parses the selector's string on every request, and Locale.parse normalises it
    against Babel's whole list of locales (~0.1 ms); given a Locale it returns it as it is.
    The app has two languages, so this holds two objects.
    """
    return Locale.parse(identifier)


def select_locale() -> Locale:
    """The signed-in person's language, else the one chosen in this browser, else Chinese."""
    languages = current_app.config["LANGUAGES"]
    if not has_request_context():  # CLI commands and workers write in the default language
        return parsed_locale(current_app.config["BABEL_DEFAULT_LOCALE"])
    if current_user and getattr(current_user, "is_authenticated", False) and current_user.locale in languages:
        return parsed_locale(current_user.locale)
    chosen = session.get("locale")
    return parsed_locale(chosen if chosen in languages else current_app.config["BABEL_DEFAULT_LOCALE"])


# Patterns made only of digits and punctuation read the same in every locale, so they skip
# Babel's per-call locale lookup and pattern formatting (a list page formats 100 times).
NUMERIC_PATTERNS = {"yyyy-MM-dd HH:mm": "%Y-%m-%d %H:%M", "yyyy-MM-dd": "%Y-%m-%d", "MM-dd HH:mm": "%m-%d %H:%M"}


def local_time(moment: datetime | None, fmt: str = "yyyy-MM-dd HH:mm") -> str:
    """A UTC time shown in Asia/Shanghai, e.g. 2026-09-23 07:33."""
    if moment is None:
        return ""
    numeric = NUMERIC_PATTERNS.get(fmt)
    if numeric is not None:
        return to_local(moment).strftime(numeric)
    return format_datetime(to_local(moment), fmt, rebase=False)


# The merged catalog of each locale (Flask-Babel keeps them too, but finds them by the locale's string,
# rebuilt on every call: ~10 µs of a template's {{ _() }}, and a page has 20 to 60 of them).
_CATALOGS: dict[Locale, object] = {}


def catalog():
    """The current locale's translations (force_locale included), found by the Locale itself."""
    locale = get_locale()
    found = _CATALOGS.get(locale) if locale is not None else None
    if found is None:
        found = get_translations()
        if locale is not None:
            _CATALOGS[locale] = found
    return found


@pass_context
def _translate(context, string: str, **variables) -> str:
    """Jinja's newstyle gettext, in one call: translated, escaped when autoescaping, formatted."""
    translated = catalog().ugettext(string)
    if context.eval_ctx.autoescape:
        translated = Markup(translated)  # noqa: S704 — our own catalog, as Jinja's gettext does
    return translated % variables


def init_app(app: Flask) -> None:
    """Template helpers for language and time."""
    app.add_template_filter(local_time, "localtime")
    # The same callables Flask-Babel installs, through catalog() (Jinja's newstyle gettext escapes and formats).
    app.jinja_env.install_gettext_callables(
        gettext=lambda s: catalog().ugettext(s),
        ngettext=lambda s, p, n: catalog().ungettext(s, p, n),
        newstyle=True,
        pgettext=lambda c, s: catalog().upgettext(c, s),
        npgettext=lambda c, s, p, n: catalog().unpgettext(c, s, p, n),
    )
    # {{ _("…") }} straight to the catalog: Jinja's alias resolves `gettext` and calls it through
    # the context, which calls the callable above through the context again (a page has 20 to 60).
    app.jinja_env.globals["_"] = app.jinja_env.globals["gettext"] = _translate

    @app.context_processor
    def _i18n_context():
        chinese = (get_locale() is None) or get_locale().language == "zh"
        return {"current_locale": "zh_CN" if chinese else "en", "html_lang": "zh-CN" if chinese else "en"}
