"""Run every benchmark in bench/ one after another (make bench)."""
import subprocess
import sys
from pathlib import Path

# page_weight.py runs alone too, but lighthouse.py already runs it after its scores.
SKIP = {"run_all.py", "page_weight.py"}
scripts = sorted(p for p in Path(__file__).parent.glob("*.py") if p.name not in SKIP and not p.name.startswith("_"))
if not scripts:
    sys.exit("no benchmarks yet")
status = 0
for script in scripts:
    print(f"=== {script.name} ===", flush=True)
    status |= subprocess.call([sys.executable, str(script)])
sys.exit(status)
