"""The page list the accessibility gate walks: every HTML page of every role, kept beside the routes.

Each feature package lists its pages in `app/<feature>/pages.py`:

    PAGES = (
        Page("notices.show", roles=("resident", "staff"), args=lambda demo: {"notice_id": demo.id_of(Notice, title=S11)}),
    )
    NOT_PAGES = (NotAPage("visits.import_template", "a CSV download"),)

`roles` name the demo accounts (`DEMO_ROLES`) the page is visited as; `args` are the URL values,
looked up in the demo street that `flask demo` loads, so every page is checked with real content.
tests/test_a11y_pages.py fails when a GET route that answers HTML has no entry, and
tests/browser/test_a11y.py runs axe-core on every entry for every role it names.
"""
from __future__ import annotations

import importlib
import importlib.util
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

# The demo accounts (app/demo/data.py) a page can be visited as; "anonymous" is signed out.
# "care" is 潘大爷, a resident with care mode on (body class `care`): list him on every page he can open.
DEMO_ROLES: dict[str, str | None] = {
    "anonymous": None,
    "resident": "13800000004",
    "care": "13800000009",
    "building_head": "13800000003",
    "building_head_24": "13800000007",  # 芳群园三区 24号楼, where the demo convention is voted on
    "staff": "13800000002",
    "street": "13800000001",
    "department": "13800000005",
    "property": "13800000006",
    "admin": "13800000000",
}


class DemoData:
    """Look-ups into the loaded demo street, for a page's URL arguments."""

    def __init__(self, session: Session):
        self.session = session

    def id_of(self, model, **where) -> int:
        """The id of the one row of `model` matching `where` (the first by id if several do)."""
        row = self.session.scalars(select(model).filter_by(**where).order_by(model.id)).first()
        if row is None:
            raise LookupError(f"no {model.__name__} with {where} in the demo data")
        return row.id

    def user(self, role: str):
        """The demo account behind a role name of DEMO_ROLES."""
        from app.models import User

        return self.session.scalar(select(User).where(User.phone == DEMO_ROLES[role]))


@dataclass(frozen=True)
class Page:
    """One HTML page, the demo roles that see it, and how to fill its URL from the demo data."""

    endpoint: str
    roles: tuple[str, ...]
    args: Callable[[DemoData], dict[str, Any]] | None = field(default=None, compare=False)

    def __post_init__(self):
        unknown = set(self.roles) - set(DEMO_ROLES)
        if unknown or not self.roles:
            raise ValueError(f"Page({self.endpoint!r}): roles must be some of {sorted(DEMO_ROLES)}, got {self.roles}")

    def url_values(self, demo: DemoData) -> dict[str, Any]:
        """The values for url_for (URL arguments; extra keys become the query string)."""
        return self.args(demo) if self.args else {}


@dataclass(frozen=True)
class NotAPage:
    """A GET route that answers no HTML page (a download, a feed): the gate skips it, saying why."""

    endpoint: str
    reason: str


def _owning_package(app: Flask, endpoint: str) -> str:
    """'app.notices' for an endpoint whose view lives in app/notices/routes.py."""
    module = app.view_functions[endpoint].__module__
    return module.rsplit(".", 1)[0] if module.count(".") > 1 else module


def html_get_endpoints(app: Flask) -> dict[str, str]:
    """Endpoint -> rule of every GET route that may answer a page (not static files, not the JSON API)."""
    found = {}
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/") or "GET" not in (rule.methods or ()):
            continue
        found.setdefault(rule.endpoint, rule.rule)
    return found


def collect(app: Flask) -> tuple[list[Page], list[NotAPage]]:
    """The PAGES and NOT_PAGES of every package that serves a view (app/<feature>/pages.py)."""
    pages: list[Page] = []
    skipped: list[NotAPage] = []
    packages = {_owning_package(app, e) for e in app.view_functions if app.view_functions[e].__module__.startswith("app.")}
    for package in sorted(packages):
        name = f"{package}.pages"
        if importlib.util.find_spec(name) is None:
            continue
        module = importlib.import_module(name)
        pages.extend(getattr(module, "PAGES", ()))
        skipped.extend(getattr(module, "NOT_PAGES", ()))
    return pages, skipped


def missing_entries(app: Flask) -> list[str]:
    """One line per HTML GET route with no entry in the page list, saying where to add it."""
    pages, skipped = collect(app)
    listed = {p.endpoint for p in pages} | {s.endpoint for s in skipped}
    messages = []
    for endpoint, rule in sorted(html_get_endpoints(app).items()):
        if endpoint in listed:
            continue
        package = _owning_package(app, endpoint)
        where = package.replace(".", "/") + "/pages.py"
        messages.append(f"GET {rule} ({endpoint}): add Page({endpoint!r}, roles=(...), args=...) to PAGES "
                        f"in {where}, or NotAPage({endpoint!r}, \"why\") to NOT_PAGES if it is no HTML page")
    return messages


def page_urls(app: Flask, session: Session, role: str) -> list[tuple[Page, str]]:
    """(page, path) of every listed page that names `role`."""
    from flask import url_for

    pages, _ = collect(app)
    demo = DemoData(session)
    with app.test_request_context():
        return [(p, url_for(p.endpoint, **p.url_values(demo))) for p in pages if role in p.roles]


HOW_TO_ADD = """Every GET route that answers an HTML page needs an entry in its feature's pages.py, so the
accessibility gate (tests/browser/test_a11y.py: axe-core, target sizes, care-mode contrast) visits it:

    from app.a11y import NotAPage, Page
    PAGES = (Page("care.notice", roles=("care",), args=lambda demo: {"notice_id": demo.id_of(Notice, title=...)}),)
    NOT_PAGES = (NotAPage("visits.import_template", "a CSV download"),)

roles are demo accounts from app.a11y.DEMO_ROLES ("anonymous", "resident", "care", "building_head", "staff", ...);
args returns the URL values (extra keys become the query string), looked up in the `flask demo` data.
tests/a11y/test_page_list.py then checks each entry opens (200, HTML) for each of its roles.
"""
