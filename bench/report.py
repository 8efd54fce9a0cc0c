"""Write benchmark results into docs/benchmarks.md, one marked section per benchmark.

Each benchmark owns the text between `<!-- bench:NAME -->` and `<!-- /bench:NAME -->`;
rewriting one section leaves the rest of the file, and other sections, as they were.
"""

from __future__ import annotations

import os
import platform
import re
import subprocess
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

DOC = Path(__file__).resolve().parent.parent / "docs" / "benchmarks.md"
PAGES_INTRO = (
    "## Page response times\n\n"
    "Server time per request, measured in process (django.test.Client, DEBUG off, persistent\n"
    "database connection) while signed in as `bench-agent`, a member of every department.\n"
    "Random cases and customers are sampled; the case with the most interactions and the\n"
    "customer with the most cases are measured separately. Aim (issue 2): p95 ≤ 100 ms for\n"
    "each page at 100,000 cases and 1,000,000 interactions (`--scale full`)."
)
HEADER = (
    "# Benchmarks\n\n"
    "Measured on the machine named in each section; every section says the command that\n"
    "reproduces it. Sections are rewritten by `python -m bench` (see bench/README.md).\n"
)


def update_section(name: str, body: str, *, path: Path = DOC, after: str = "") -> None:
    """Replace the section `name`, or add it after section `after` (else at the end).

    Text outside the section is kept verbatim.
    """
    start, end = _markers(name)
    block = f"{start}\n{body.strip()}\n{end}"
    text = path.read_text(encoding="utf-8") if path.exists() else HEADER
    pattern = re.compile(re.escape(start) + r".*?" + re.escape(end), re.DOTALL)
    if pattern.search(text):
        text = pattern.sub(lambda _match: block, text, count=1)
    elif after and _markers(after)[1] in text:
        anchor = _markers(after)[1]
        text = text.replace(anchor, f"{anchor}\n\n{block}", 1)
    else:
        text = text.rstrip("\n") + "\n\n" + block + "\n"
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")


def _markers(name: str) -> tuple[str, str]:
    return f"<!-- bench:{name} -->", f"<!-- /bench:{name} -->"


def write_pages(runs: list[dict[str, Any]], *, command: str, path: Path = DOC) -> None:
    """Rewrite the pages introduction and the section of each database that was measured.

    A run on one database leaves the other database's figures in place.
    """
    update_section("pages", PAGES_INTRO, path=path)
    previous = "pages"
    for db in ("sqlite", "postgresql"):
        run = next((run for run in runs if run["db"] == db), None)
        if run is not None:
            update_section(
                f"pages-{db}", "\n".join(_run_markdown(run, command)), path=path, after=previous
            )
        if _markers(f"pages-{db}")[1] in (path.read_text(encoding="utf-8")):
            previous = f"pages-{db}"


def _load(run: dict[str, Any]) -> str:
    load = run.get("load_average") or []
    return " → ".join(f"{value:.1f}" for value in load) or "not recorded"


def machine() -> dict[str, str]:
    """Cores, CPU model, memory, OS and Python of this machine, for the record."""
    cpu = "unknown CPU"
    memory = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("MemTotal"):
                memory = f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
                break
    except OSError:
        pass
    try:
        nproc = subprocess.run(["nproc"], capture_output=True, text=True, check=True).stdout
    except (OSError, subprocess.CalledProcessError):
        nproc = str(os.cpu_count())
    return {
        "cores": nproc.strip(),
        "cpu": cpu,
        "memory": memory,
        "os": f"{platform.system()} {platform.release()}",
        "python": platform.python_version(),
    }


def _run_markdown(run: dict[str, Any], command: str) -> list[str]:
    counts = run.get("counts", {})
    generation = run.get("generation") or {}
    how = "reused data generated earlier" if generation.get("reused") else "generated for this run"
    box = machine()
    lines = [
        f"### {run.get('database', run['db'])} — scale `{run['scale_name']}`",
        "",
        f"Command: `{command}` — run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC.",
        "",
        f"Machine: {box['cores']} cores ({box['cpu']}), {box['memory']} RAM, {box['os']}; "
        f"Python {box['python']}, Django {run.get('django', '?')}, {run.get('database', '')}.",
        "",
        f"{counts.get('cases', 0):,} cases, {counts.get('interactions', 0):,} interactions, "
        f"{counts.get('customers', 0):,} customers, {counts.get('organisations', 0):,} "
        f"organisations, {counts.get('case_events', 0):,} case events, "
        f"{counts.get('staff_contacts', 0):,} staff contacts. Data generation took "
        f"{generation.get('seconds', '?')} s, {generation.get('cpu_seconds', '?')} s of it CPU "
        f"({how}). {run.get('auth_note', '')}.",
        "",
        f"Load average during the run: {_load(run)} (2 cores; above 2, requests queued for "
        "CPU and the figures are pessimistic; the CPU column is this process's own time).",
        "",
        "| Page | p50 ms | p95 ms | max ms | CPU p50 ms | queries | samples | p95 ≤ 100 ms |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | :---: |",
    ]
    for page in run.get("pages", []):
        if page["status"] != "ok":
            lines.append(f"| {page['title']} | {page['status']}: {page['note']} | | | | | | |")
            continue
        queries = (
            str(page["queries_min"])
            if page["queries_min"] == page["queries_max"]
            else f"{page['queries_min']}-{page['queries_max']}"
        )
        if page.get("query_growth"):
            queries += " ⚠"
        verdict = "yes" if page["p95_ms"] <= 100 else "**no**"
        lines.append(
            f"| {page['title']} | {page['p50_ms']} | {page['p95_ms']} | {page['max_ms']} | "
            f"{page.get('cpu_p50_ms', '')} | {queries} | {page['samples']} | {verdict} |"
        )
    if any(page.get("query_growth") for page in run.get("pages", [])):
        lines += [
            "",
            "⚠ the largest case or customer needs more queries than typical ones: the"
            " query count grows with the data shown (an N+1 to fix).",
        ]
    return lines


def write_standalone(name: str, markdown: str, *, path: Path = DOC) -> None:
    """Put a benchmark's own markdown report into docs/benchmarks.md as section `name`.

    Its headings move one level down so they sit under the page's title.
    """
    demoted = "\n".join(
        "#" + line if line.startswith("#") else line for line in markdown.strip().splitlines()
    )
    update_section(name, demoted, path=path)
