"""Entry point: `gunicorn wsgi:app`, and `flask --app wsgi …` for the CLI."""
import gc

from app import create_app

app = create_app()
# What the app is built from (modules, tables, compiled rules: ~150,000 objects) lives as long as the
# process, so the cycle collector need not walk it again: every full collection otherwise visits it
# all, which cost the sync push ~20 µs per mutation in a gunicorn worker (bench/sync.py). Each
# worker imports this module after gunicorn forks it; with --preload the master does, before forking.
gc.collect()
gc.freeze()
