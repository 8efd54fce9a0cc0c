"""Run every benchmark and rewrite docs/benchmarks.md: `python -m bench [--scale] [--db]`."""

from __future__ import annotations

import argparse
import os
import shlex
import subprocess
import sys
from pathlib import Path
from typing import Any

from bench import SCALES
from bench.pages import default_data_root, run_backend
from bench.report import DOC, write_pages

BACKENDS = {"sqlite": ["sqlite"], "postgresql": ["postgresql"], "both": ["sqlite", "postgresql"]}
HERE = Path(__file__).resolve().parent


def other_benchmarks() -> list[str]:
    """Every bench/*_bench.py: run as `python -m bench.NAME`; each writes its own section."""
    return sorted(path.stem for path in HERE.glob("*_bench.py"))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m bench", description=__doc__)
    parser.add_argument(
        "--scale",
        choices=sorted(SCALES),
        default="full",
        help="data size: full = 100k cases / 1M interactions (default)",
    )
    parser.add_argument("--db", choices=sorted(BACKENDS), default="both")
    parser.add_argument("--samples", type=int, default=200, help="timed requests per page")
    parser.add_argument(
        "--data-root",
        type=Path,
        default=default_data_root(),
        help="where bench databases are kept between runs",
    )
    parser.add_argument(
        "--regenerate",
        action="store_true",
        help="generate fresh data even if a matching database exists",
    )
    parser.add_argument("--pages-only", action="store_true", help="skip the other benchmarks")
    parser.add_argument("--report", type=Path, default=DOC, help="markdown file to update")
    args = parser.parse_args(argv)
    command = "python -m bench " + shlex.join(
        ["--scale", args.scale, "--db", args.db]
        + (["--samples", str(args.samples)] if args.samples != 200 else [])
    )

    runs = [
        run_backend(
            db=db,
            scale_name=args.scale,
            samples=args.samples,
            data_root=args.data_root,
            regenerate=args.regenerate,
        )
        for db in BACKENDS[args.db]
    ]
    write_pages(runs, command=command, path=args.report)
    _print_summary(runs)
    print(f"wrote the pages section of {args.report}", file=sys.stderr)

    return 0 if args.pages_only else _run_others()


def _run_others() -> int:
    paths = [str(HERE.parent), os.environ.get("PYTHONPATH", "")]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(path for path in paths if path)}
    failed = []
    for name in other_benchmarks():
        print(f"== bench.{name}", file=sys.stderr)
        finished = subprocess.run([sys.executable, "-m", f"bench.{name}"], env=env, check=False)
        if finished.returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
    return 1 if failed else 0


def _print_summary(runs: list[dict[str, Any]]) -> None:
    for run in runs:
        print(f"\n{run['database']} ({run['scale_name']})")
        for page in run["pages"]:
            if page["status"] != "ok":
                print(f"  {page['title']:<34} {page['status']}: {page['note']}")
                continue
            flag = "  more queries on the largest object!" if page.get("query_growth") else ""
            print(
                f"  {page['title']:<34} p50 {page['p50_ms']:>7} ms  p95 {page['p95_ms']:>7} ms"
                f"  max {page['max_ms']:>7} ms  queries {page['queries_min']}"
                f"-{page['queries_max']}{flag}"
            )


if __name__ == "__main__":
    raise SystemExit(main())
