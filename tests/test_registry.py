"""Nothing is registered on import: a feature's init_app registers what it adds (app/registry.py)."""
from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

# Imports every module under app/ (then runs `then`) and prints what each registry holds; in a fresh
# interpreter, so the apps the other tests made do not count.
PROBE = """
import importlib, json, pkgutil, app
for module in pkgutil.walk_packages(app.__path__, "app."):
    importlib.import_module(module.name)
{then}
from app.auth.permissions import registered_actions
from app.commands import commands
from app.demo.registry import feature_loaders
from app.sync.registry import pull_sources
print(json.dumps({{"rules": registered_actions(), "commands": sorted(commands()),
                  "pull_sources": sorted(pull_sources()), "demo_loaders": len(feature_loaders())}}))
"""


def registries(then: str = "") -> dict:
    done = subprocess.run([sys.executable, "-c", PROBE.format(then=then)], cwd=ROOT, capture_output=True,
                          text=True, check=True)
    return json.loads(done.stdout.splitlines()[-1])


def test_importing_every_module_registers_nothing():
    assert registries() == {"rules": [], "commands": [], "pull_sources": [], "demo_loaders": 0}


def test_making_the_app_registers_what_each_feature_adds():
    found = registries("from app import create_app\n"
                       "create_app({'TESTING': True, 'SQLALCHEMY_DATABASE_URI': 'sqlite://', 'SECRET_KEY': 'x'})")
    assert {"building.view", "issue.view", "visit.add", "notice.view", "convention.vote", "attachment.view",
            "logincard.manage", "consultation.view"} <= set(found["rules"])
    assert {"issue.report", "visit.add", "vote.cast", "notice.create", "open311.report",
            "care.set_mode"} <= set(found["commands"])
    assert {"households", "visits", "problems", "notices", "conventions"} <= set(found["pull_sources"])
    assert found["demo_loaders"] >= 5
