"""Run every bench script (they are not tests) at the size SCALE gives; print each one's last line.

    make bench SCALE=0.1      # 100,000 households where a script builds 1,000,000 at SCALE=1
"""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> int:
    helpers = {"__init__.py", "common.py", "run_all.py", "scale_data.py"}  # and _*.py: modules the benches use
    scripts = sorted(p for p in HERE.glob("*.py") if p.name not in helpers and not p.name.startswith("_"))
    failed = 0
    summary = []
    for script in scripts:
        print(f"== {script.name} (SCALE={os.environ.get('SCALE', 'default')})", flush=True)
        run = subprocess.run([sys.executable, str(script)], cwd=HERE.parent, capture_output=True, text=True)
        lines = (run.stdout.strip().splitlines() or ["(no output)"])
        print("\n".join(lines[-5:]))
        if run.returncode:
            failed += 1
            print(run.stderr[-2000:], file=sys.stderr)
        summary.append(f"{script.name}: {lines[-1] if not run.returncode else 'FAILED'}")
    print("\n".join(summary))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
