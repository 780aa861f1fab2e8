"""`python -m tests.bench` (`make bench`): run every `tests/bench/bench_*.py`'s `main()` in turn.

Each benchmark prints its own `BENCH <name> ...` lines; a benchmark that fails is reported and
the run goes on, and the exit status is non-zero if any failed.
"""

from __future__ import annotations

import importlib
import sys
import time
import traceback
from pathlib import Path


def main() -> int:
    here = Path(__file__).parent
    failed: list[str] = []
    for path in sorted(here.glob("bench_*.py")):
        name = f"tests.bench.{path.stem}"
        started = time.perf_counter()
        print(f"# {path.stem}", flush=True)
        try:
            importlib.import_module(name).main()
        except Exception:  # report the failed benchmark and run the others
            traceback.print_exc()
            failed.append(path.stem)
        print(f"# {path.stem} took {time.perf_counter() - started:.1f} s", flush=True)
    if failed:
        print(f"# failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
