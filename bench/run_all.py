"""Run every benchmark in bench/ one after another (make bench)."""
import subprocess
import sys
from pathlib import Path

scripts = sorted(p for p in Path(__file__).parent.glob("*.py") if p.name != "run_all.py" and not p.name.startswith("_"))
if not scripts:
    sys.exit("no benchmarks yet")
status = 0
for script in scripts:
    print(f"=== {script.name} ===", flush=True)
    status |= subprocess.call([sys.executable, str(script)])
sys.exit(status)
