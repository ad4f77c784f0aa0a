"""`python -m app.serve`: the embedded default — the web server plus the background workers.

`make run` uses this so one command serves the app and runs what must happen outside web
requests (the push worker, the periodic jobs). In production run gunicorn and the workers as
separate services.
"""
from __future__ import annotations

import argparse
import signal
import subprocess
import sys
import time

# Long-running commands started beside the web server; features add theirs here.
BACKGROUND_COMMANDS: list[list[str]] = [
    ["push", "work"],
    ["conventions", "close-due", "--every", "60"],
    ["issues", "remind", "--every", "60"],  # deadline reminders, closing unconfirmed resolved problems
]


def main() -> int:
    """Start gunicorn and the background workers; stop them all when one exits or on Ctrl-C."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", default="5000")
    # Processes, not threads: under load a threaded worker crashed (SIGSEGV in libpython) twice
    # in our benchmarks; sync workers share nothing and SQLite's WAL lets them read in parallel.
    parser.add_argument("--workers", default="3")
    args = parser.parse_args()
    web = [
        sys.executable, "-m", "gunicorn", "--bind", f"{args.host}:{args.port}",
        "--workers", args.workers, "--access-logfile", "-", "wsgi:app",
    ]
    children = [subprocess.Popen(web)]  # noqa: S603 — fixed argv, no shell
    children += [subprocess.Popen([sys.executable, "-m", "flask", "--app", "wsgi", *cmd]) for cmd in BACKGROUND_COMMANDS]  # noqa: S603
    print(f"Siheyuan is serving on http://{args.host}:{args.port}  (Ctrl-C to stop)", flush=True)

    def stop(*_):
        for child in children:
            if child.poll() is None:
                child.terminate()

    signal.signal(signal.SIGTERM, stop)
    try:
        while all(child.poll() is None for child in children):
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    stop()
    for child in children:
        child.wait(timeout=10)
    return children[0].returncode or 0


if __name__ == "__main__":
    sys.exit(main())
