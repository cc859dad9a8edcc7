"""Regenerate the FICTIONAL demo data of this folder: ``python data/demo/generate.py``.

A thin wrapper around :func:`scoring.demo.write_demo` (seeded: same seed, same files).
"""

from __future__ import annotations

import sys
from pathlib import Path

from scoring.demo import SEED, write_demo


def main(argv: list[str] | None = None) -> int:
    args = sys.argv[1:] if argv is None else argv
    seed = int(args[0]) if args else SEED
    for path in write_demo(Path(__file__).resolve().parent, seed=seed):
        print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
