"""Lighthouse on the home, report and notice pages, and the care home page's weight on the wire.

Serves the demo street (`flask demo`) with gunicorn on a fresh SQLite database, signs in through the
JSON API and hands the session cookie to Lighthouse (npm `lighthouse`, pinned in bench/package.json,
installed with `npm ci --prefix bench` on first run — only for this benchmark, never by the app),
which drives headless Chromium with its default mobile emulation (Moto G Power, slow 4G, 4× CPU).
Targets: accessibility 100, best practices ≥ 95, performance ≥ 90.

Lighthouse always loads cold, so the care home page's weight is measured with Playwright instead
(bench/page_weight.py, which also runs alone): bytes that crossed the network (headers + bodies,
page and service worker alike) on the first load of a fresh browser, and on a reload once the
service worker controls the page. Targets: ≤ 60 KB and ≤ 5 KB. The ceiling beside them: the HTML
of the page alone.

Run: .venv/bin/python bench/lighthouse.py   (CHROME_PATH overrides /usr/lib/chromium/chromium)
"""
from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

import page_weight
import requests
from _common import ROOT, Gunicorn, build_app

BENCH = ROOT / "bench"
LIGHTHOUSE = BENCH / "node_modules" / ".bin" / "lighthouse"
CHROME = page_weight.CHROME
RESIDENT, CARE = "13800000004", page_weight.CARE  # 李居民 and 潘大爷 (care mode) in the demo street
CATEGORIES = ("accessibility", "best-practices", "performance")
TARGETS = {"accessibility": 100, "best-practices": 95, "performance": 90}


def ensure_lighthouse() -> str | None:
    """Install the pinned Lighthouse into bench/node_modules when needed; why it cannot run, if so."""
    if not Path(CHROME).exists():
        return f"no Chromium at {CHROME} (set CHROME_PATH)"
    if not LIGHTHOUSE.exists():
        if shutil.which("npm") is None:
            return "npm is not installed (Lighthouse is an npm package)"
        subprocess.run(["npm", "ci", "--no-audit", "--no-fund", "--prefix", str(BENCH)], check=True)
    return None


def demo_app() -> tuple[str, str, int]:
    """A fresh SQLite database with the demo street; (url, instance folder, id of the S11 notice)."""
    from app.demo.services import load_demo
    from app.extensions import db
    from app.notices.demo import S11_TITLE
    from app.notices.models import Notice

    instance = tempfile.mkdtemp(prefix="bench-lh-")
    url = f"sqlite:///{instance}/bench.db"
    app = build_app(url, instance)
    with app.app_context():
        load_demo(db.session)
        db.session.commit()
        notice_id = db.session.query(Notice.id).filter_by(title=S11_TITLE).scalar()
        db.engine.dispose()
    return url, instance, notice_id


def session_cookie(base: str, phone: str) -> str:
    """Sign in through the JSON API; the session cookie's value."""
    from app.demo.data import DEMO_PASSWORD

    http = requests.Session()
    token = http.get(base + "/api/v1/csrf").json()["csrf_token"]
    http.post(base + "/api/v1/session", json={"phone": phone, "password": DEMO_PASSWORD},
              headers={"X-CSRFToken": token}).raise_for_status()
    return http.cookies["session"]


def lighthouse(url: str, cookie: str) -> dict[str, int]:
    """Scores (0–100) of one Lighthouse run with mobile emulation."""
    with tempfile.TemporaryDirectory() as out:
        report = Path(out) / "report.json"
        command = [
            str(LIGHTHOUSE), url, "--quiet", "--output=json", f"--output-path={report}",
            f"--only-categories={','.join(CATEGORIES)}",
            f"--extra-headers={json.dumps({'Cookie': f'session={cookie}'})}",
            "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-dev-shm-usage",
        ]
        # On a loaded machine Lighthouse sometimes loses its own trace (NO_NAVSTART) and asks to be
        # run again: that is no score of the page, so it is run again (twice at most).
        for attempt in range(3):
            if subprocess.run(command, env={**os.environ, "CHROME_PATH": CHROME}).returncode == 0:
                break
            print(f"    Lighthouse failed (attempt {attempt + 1}); running it again", flush=True)
        else:
            raise RuntimeError(f"Lighthouse failed three times on {url}")
        result = json.loads(report.read_text())
    scores = {c: round(result["categories"][c]["score"] * 100) for c in CATEGORIES}
    metrics = ("first-contentful-paint", "largest-contentful-paint", "total-blocking-time", "cumulative-layout-shift")
    print("    " + ", ".join(f"{m}: {result['audits'][m]['displayValue']}" for m in metrics))
    failing = [a["id"] for c in ("accessibility", "best-practices") for ref in result["categories"][c]["auditRefs"]
               if ref["weight"] and (a := result["audits"][ref["id"]])["score"] is not None and a["score"] < 1]
    if failing:
        print(f"    audits not passed: {', '.join(failing)}")
    return scores


def main() -> int:
    missing = ensure_lighthouse()
    if missing:
        print(f"SKIPPED: {missing}")
        return 0
    url, instance, notice_id = demo_app()
    status = 0
    with Gunicorn(url, instance, workers=2) as server:
        resident, care = session_cookie(server.base, RESIDENT), session_cookie(server.base, CARE)
        pages = [("home (resident)", "/", resident), ("report", "/issues/new", resident),
                 ("notice", f"/notices/{notice_id}", resident), ("care home", "/", care)]
        print(f"{'page':<18}" + "".join(f"{c:>16}" for c in CATEGORIES))
        for label, path, cookie in pages:
            scores = lighthouse(server.base + path, cookie)
            print(f"{label:<18}" + "".join(f"{scores[c]:>16}" for c in CATEGORIES), flush=True)
            status |= any(scores[c] < TARGETS[c] for c in CATEGORIES)
        print("targets: accessibility 100, best-practices ≥ 95, performance ≥ 90 (mobile emulation)")
        status |= not page_weight.report(server.base, care)
    return status


if __name__ == "__main__":
    sys.exit(main())
