"""Features depend downward only: the foundation never imports a feature (docs/notifications.md).

Every .py file under app/ is parsed (not imported) and every import in it is checked, at the top
of a module or inside a function alike, and so is `importlib.import_module("app.…")` with a
literal name. The foundation is app/*.py, the packages below the features (auth, models, sync,
demo's registry, uploads' file store) and the two notification layers: app/notifications, the
core every feature may import, and app/push, the Web Push channel beneath it. Features may import
the foundation and, where it makes sense, each other; care mode may not reach into another
feature's routes (it calls their commands and queries, never their views).

app/features.py names the features as strings and app/__init__.py imports each by that name at
start-up (`import_module(name)`): that is the one way the foundation reaches the features, on
purpose, and it is no import statement, so it needs no exemption here.
"""
from __future__ import annotations

import ast
from pathlib import Path

APP = Path(__file__).resolve().parent.parent / "app"

# The features: packages a person sees, each with its pages, commands and notification texts.
FEATURES = frozenset({"problems", "conventions", "consultations", "notices", "care", "visits", "logincards",
                      "open311", "home", "pwa", "directory", "joining", "accounts", "organisation", "apidocs",
                      "reports"})
# Below them. uploads is the file store every command's attachments come from (app/views.py and
# the sync engine use it), so it is foundation too, and may import no feature either.
FOUNDATION = frozenset({"auth", "models", "sync", "demo", "uploads", "notifications", "push", "sms", "backup"})
# What the notifications core must not import besides the features: the channels beneath it
# register with it (app.notifications.channels), it never names them.
NOT_FOR_NOTIFICATIONS = frozenset({"push", "sms"})

# (importing module, imported module) -> why it is allowed. Keep it empty if you can; a stale
# entry fails test_every_exemption_is_still_needed.
EXEMPT: dict[tuple[str, str], str] = {}


def module_name(path: Path) -> str:
    """'app.push.routes' for app/push/routes.py, 'app.push' for app/push/__init__.py."""
    parts = path.relative_to(APP.parent).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def imports_of(source: str, name: str, is_package: bool = False) -> set[str]:
    """Every module `source` (the module `name`) imports: statements anywhere, and import_module("…") literals."""
    found: set[str] = set()
    package = name if is_package else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # from .x import y, from .. import z
                anchor = package.split(".")
                anchor = anchor[: len(anchor) - (node.level - 1)]
                base = ".".join([*anchor, base] if base else anchor)
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)  # from app import problems
        elif (isinstance(node, ast.Call) and getattr(node.func, "attr", getattr(node.func, "id", "")) == "import_module"
              and node.args and isinstance(node.args[0], ast.Constant) and isinstance(node.args[0].value, str)):
            found.add(node.args[0].value)
    return found


def app_modules() -> dict[str, set[str]]:
    """Each module under app/ and the app.* modules it imports."""
    modules = {}
    for path in sorted(APP.rglob("*.py")):
        name = module_name(path)
        imported = imports_of(path.read_text(encoding="utf-8"), name, path.name == "__init__.py")
        modules[name] = {m for m in imported if m == "app" or m.startswith("app.")}
    return modules


def package_of(module: str) -> str | None:
    """'push' for app.push.routes; None for a top-level module such as app.views (or app itself)."""
    parts = module.split(".")
    if len(parts) < 2:
        return None
    return parts[1] if (APP / parts[1]).is_dir() else None


def violations(modules: dict[str, set[str]]) -> list[tuple[str, str, str]]:
    """(importer, imported, rule) for every import that breaks a layer rule."""
    found = []
    for importer, imported in modules.items():
        own = package_of(importer)
        for target in sorted(imported):
            other = package_of(target)
            if other is None or other == own:
                continue
            if own not in FEATURES and other in FEATURES:
                found.append((importer, target, "the foundation imports a feature"))
            elif own == "notifications" and other in NOT_FOR_NOTIFICATIONS:
                found.append((importer, target, "the notifications core imports a channel"))
            elif own == "care" and other in FEATURES and target.split(".")[2:3] == ["routes"]:
                found.append((importer, target, "care imports another feature's routes"))
    return found


def test_every_package_is_a_feature_or_foundation():
    """A new package under app/ must be placed on one side of the line before it can be checked."""
    packages = {p.name for p in APP.iterdir() if p.is_dir() and any(p.rglob("*.py"))}
    assert packages == FEATURES | FOUNDATION, sorted(packages ^ (FEATURES | FOUNDATION))
    assert not FEATURES & FOUNDATION


def test_the_foundation_imports_no_feature():
    found = [v for v in violations(app_modules()) if (v[0], v[1]) not in EXEMPT]
    assert found == [], "\n".join(f"{a} imports {b}: {rule}" for a, b, rule in found)


def test_every_exemption_is_still_needed():
    found = {(a, b) for a, b, _rule in violations(app_modules())}
    assert set(EXEMPT) <= found, sorted(set(EXEMPT) - found)


def test_the_walk_sees_every_kind_of_import():
    """The checker is not vacuous: lazy, relative, from-package and by-name imports are all seen."""
    source = '''
import app.views
from app.problems.services import report_problem
from app import notices
from . import services
from ..care import routes as care_routes


def later():
    from app.conventions import notifications
    import importlib
    return importlib.import_module("app.visits")
'''
    seen = imports_of(source, "app.push.worker")
    assert {"app.views", "app.problems.services", "app.notices", "app.push.services", "app.care.routes",
            "app.conventions.notifications", "app.visits"} <= seen
    bad = violations({"app.push.worker": seen, "app.care.routes": {"app.notices.routes", "app.notices.queries"},
                      "app.notifications.services": {"app.push.models"}, "app.notices.services": {"app.push.models"}})
    flagged = {(a, b) for a, b, _rule in bad}
    assert flagged >= {
        ("app.push.worker", "app.problems.services"), ("app.push.worker", "app.notices"),
        ("app.push.worker", "app.care.routes"), ("app.push.worker", "app.conventions.notifications"),
        ("app.push.worker", "app.visits"), ("app.care.routes", "app.notices.routes"),
        ("app.notifications.services", "app.push.models"),
    }
    assert {a for a, _b in flagged} == {"app.push.worker", "app.care.routes", "app.notifications.services"}
    assert ("app.care.routes", "app.notices.queries") not in flagged  # care may use another feature's queries
