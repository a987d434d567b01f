"""Runs every benchmark module in bench/ (files named bench_*.py with a `main(scale: float)`).

Each benchmark prints its own table and one JSON line per measurement. BENCH_SCALE scales the data
(default 1.0; 0.1 for a quick run). Performance targets are checked here, never in timed unit tests.
"""

from __future__ import annotations

import importlib.util
import os
import sys
from pathlib import Path


def main() -> int:
    scale = float(os.environ.get("BENCH_SCALE", "1.0"))
    folder = Path(__file__).parent
    modules = sorted(folder.glob("bench_*.py"))
    if not modules:
        print("bench: no benchmarks yet (the billing run benchmark arrives with the billing engine)")
        return 0
    for path in modules:
        spec = importlib.util.spec_from_file_location(path.stem, path)
        assert spec is not None and spec.loader is not None
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        print(f"== {path.stem} (scale {scale}) ==", flush=True)
        module.main(scale)
    return 0


if __name__ == "__main__":
    sys.exit(main())
