"""The queueing engine against pyworkforce: same inputs, same answers, and their speed.

Run from the repository root:  .venv/bin/python -m bench.erlang_bench
pyworkforce is installed for this benchmark only (`.venv/bin/pip install pyworkforce`);
it is never a runtime dependency. Writes markdown to stdout and a section of docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import functools
import math
import os
import platform
import statistics
import time
from collections.abc import Callable
from datetime import UTC, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import numpy as np

from bench.report import write_standalone
from truedesk.workforce.queueing import evaluate, evaluate_many, required_agents

QUEUES, INTERVALS, MINUTES = 20, 7 * 96, 15
COMMAND = ".venv/bin/python -m bench.erlang_bench"


def week_of_queues(seed: int = 20240601) -> dict[str, np.ndarray]:
    """20 queues x 672 quarter-hours: open 07:00-22:00 with a late-morning and an
    afternoon peak, quieter weekends, a trickle at night (pyworkforce refuses 0 calls),
    per-queue size (20 to 1,500 calls/hour at peak), AHT (2.5 to 10 minutes) and target."""
    rng = np.random.default_rng(seed)
    hours = (np.arange(96) + 0.5) / 4
    shape = np.exp(-(((hours - 10.5) / 1.8) ** 2)) + 0.8 * np.exp(-(((hours - 14.5) / 2.2) ** 2))
    shape = np.where((hours >= 7) & (hours < 22), 0.08 + shape / shape.max(), 0.01)
    day = np.array([1.0, 0.95, 0.95, 0.9, 0.85, 0.5, 0.35])
    profile = (day[:, None] * shape[None, :]).ravel()
    peak = np.exp(rng.uniform(np.log(20), np.log(1500), QUEUES))
    noise = rng.uniform(0.9, 1.1, (QUEUES, INTERVALS))
    arrivals = np.maximum(peak[:, None] * profile[None, :] * noise, 1.0)
    targets = np.array([(0.8, 20.0), (0.9, 30.0), (0.7, 60.0), (0.8, 30.0)])[
        rng.integers(0, 4, QUEUES)
    ]
    return {
        "arrivals_per_hour": arrivals,
        "aht_seconds": rng.uniform(150, 600, QUEUES)[:, None] * np.ones((1, INTERVALS)),
        "target_sl": targets[:, 0][:, None] * np.ones((1, INTERVALS)),
        "answer_time_seconds": targets[:, 1][:, None] * np.ones((1, INTERVALS)),
    }


def ours(week: dict[str, np.ndarray], patience: float | None = None) -> np.ndarray:
    return required_agents(**week, patience_seconds=patience)


def theirs_one(arrivals: float, aht: float, sl: float, answer: float) -> int:
    from pyworkforce.queuing import ErlangC

    erlang = ErlangC(
        transactions=arrivals * MINUTES / 60, aht=aht / 60, asa=answer / 60, interval=MINUTES
    )
    return int(erlang.required_positions(service_level=sl)["raw_positions"])


def theirs(week: dict[str, np.ndarray], cells: np.ndarray) -> np.ndarray:
    flat = {k: v.ravel() for k, v in week.items()}
    return np.array(
        [
            theirs_one(
                flat["arrivals_per_hour"][i],
                flat["aht_seconds"][i],
                flat["target_sl"][i],
                flat["answer_time_seconds"][i],
            )
            for i in cells
        ]
    )


def timed(run: Callable[[], Any], repeat: int) -> tuple[list[float], Any]:
    """CPU seconds of this process per run: both engines are single-threaded, and on a
    shared machine wall time also counts other processes' turns."""
    times, result = [], None
    for _ in range(repeat):
        start = time.process_time()
        result = run()
        times.append(time.process_time() - start)
    return times, result


def by_size(repeat: int) -> list[str]:
    """Per-search cost against queue size: pyworkforce's grows with the load (an O(n)
    Python loop per service level tried, about sqrt(load) tries), ours hardly does."""
    rng = np.random.default_rng(5)
    lines = [
        "| load (Erlangs) | Truedesk per search | pyworkforce per search | ratio |",
        "|---:|---:|---:|---:|",
    ]
    for load in (2, 20, 200, 2000):
        arrivals = load * 3600 / 300 * rng.uniform(0.9, 1.1, QUEUES * INTERVALS)
        week = {
            "arrivals_per_hour": arrivals,
            "aht_seconds": np.full(arrivals.size, 300.0),
            "target_sl": np.full(arrivals.size, 0.8),
            "answer_time_seconds": np.full(arrivals.size, 20.0),
        }
        cells = np.arange(0, arrivals.size, max(1, arrivals.size * load // 40_000))
        mine, _ = timed(functools.partial(ours, week), repeat)
        other, _ = timed(functools.partial(theirs, week, cells), 1)
        per_mine = statistics.median(mine) / arrivals.size
        per_other = statistics.median(other) / cells.size
        lines.append(
            f"| {load:,} | {per_mine * 1e6:.2f} µs | {per_other * 1e6:,.0f} µs "
            f"({cells.size:,} searches) | {per_other / per_mine:,.0f} |"
        )
    return lines


def machine() -> str:
    cpu = "unknown"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    versions = ", ".join(
        f"{name} {metadata.version(name)}" for name in ("numpy", "scipy", "pyworkforce")
    )
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()}; {versions}"
    )


def _their_sl(arrivals: float, aht: float, answer: float, agents: int) -> float:
    from pyworkforce.queuing import ErlangC

    erlang = ErlangC(
        transactions=arrivals * MINUTES / 60, aht=aht / 60, asa=answer / 60, interval=MINUTES
    )
    return float(erlang.service_level(agents))


def same_answers(
    week: dict[str, np.ndarray], ours_n: np.ndarray, theirs_n: np.ndarray
) -> list[str]:
    flat = {k: v.ravel() for k, v in week.items()}
    mine = ours_n.ravel()
    differ = np.flatnonzero(mine != theirs_n)
    lines = [
        f"- Agents required, Erlang C, all {mine.size:,} intervals: **{mine.size - differ.size:,} "
        f"identical**, {differ.size:,} different."
    ]
    if differ.size:
        lines += [
            "",
            "| queue | interval | load (Erlangs) | target | ours | theirs "
            "| SL at ours (ours / theirs' formula) | SL at ours - 1 |",
            "|---:|---:|---:|---|---:|---:|---|---:|",
        ]
    for i in differ[:12]:
        load = flat["arrivals_per_hour"][i] / 3600 * flat["aht_seconds"][i]
        kwargs = {
            "arrivals_per_hour": flat["arrivals_per_hour"][i],
            "aht_seconds": flat["aht_seconds"][i],
            "answer_time_seconds": flat["answer_time_seconds"][i],
        }
        at = evaluate(**kwargs, agents=int(mine[i])).service_level
        their_at = _their_sl(
            kwargs["arrivals_per_hour"],
            kwargs["aht_seconds"],
            kwargs["answer_time_seconds"],
            int(mine[i]),
        )
        below = (
            evaluate(**kwargs, agents=int(mine[i]) - 1).service_level
            if mine[i] - 1 > load
            else float("nan")
        )
        below_text = "unstable" if math.isnan(below) else f"{below:.4f}"
        lines.append(
            f"| {i // INTERVALS} | {i % INTERVALS} | {load:.3f} | "
            f"{flat['target_sl'][i]:.0%} in {flat['answer_time_seconds'][i]:.0f} s | "
            f"{mine[i]} | {theirs_n[i]} | {at:.4f} / {their_at:.4f} | {below_text} |"
        )
    return lines


def metric_agreement(week: dict[str, np.ndarray], ours_n: np.ndarray) -> str:
    """Largest difference between their and our P(wait) and SL at the same staffing."""
    from pyworkforce.queuing import ErlangC

    flat = {k: v.ravel() for k, v in week.items()}
    cells = np.arange(0, ours_n.size, 7)
    mine = evaluate_many(
        arrivals_per_hour=flat["arrivals_per_hour"][cells],
        aht_seconds=flat["aht_seconds"][cells],
        agents=ours_n.ravel()[cells],
        answer_time_seconds=flat["answer_time_seconds"][cells],
    )
    wait_gap = sl_gap = 0.0
    for j, i in enumerate(cells):
        erlang = ErlangC(
            transactions=flat["arrivals_per_hour"][i] * MINUTES / 60,
            aht=flat["aht_seconds"][i] / 60,
            asa=flat["answer_time_seconds"][i] / 60,
            interval=MINUTES,
        )
        n = int(ours_n.ravel()[i])
        wait_gap = max(wait_gap, abs(erlang.waiting_probability(n) - mine.p_wait[j]))
        sl_gap = max(sl_gap, abs(erlang.service_level(n) - mine.service_level[j]))
    return (
        f"- Same staffing, same formulas: over {cells.size:,} intervals the largest difference "
        f"in P(wait) is {wait_gap:.1e} and in service level {sl_gap:.1e} (rounding only)."
    )


def search_start_example() -> str:
    """pyworkforce's search starts at round(load + 1), skipping floor(load) + 1 when the
    load's fraction is 0.5 or more; here that staffing already meets the target."""
    arrivals, aht, sl, answer = 318.0, 120.0, 0.8, 600.0  # 10.6 Erlangs
    mine = required_agents(
        arrivals_per_hour=arrivals, aht_seconds=aht, target_sl=sl, answer_time_seconds=answer
    )
    other = theirs_one(arrivals, aht, sl, answer)
    return (
        "- Where pyworkforce is wrong: 318 calls/hour, 120 s AHT (10.6 Erlangs), 80 % within "
        f"600 s. Ours {mine} agents, pyworkforce {other}; pyworkforce's own "
        f"`service_level({mine})` is {_their_sl(arrivals, aht, answer, mine):.3f} ≥ 0.8. "
        "Its search starts at `round(load + 1)` = 12 (Python rounds half to even), so "
        "whenever the load's fraction is 0.5 or more it never tries floor(load) + 1, and "
        "over-staffs by one agent when that staffing suffices (long answer times or low "
        "targets). The generated week never hits that case, hence its identical answers."
    )


def abandonment_example() -> list[str]:
    common = {"arrivals_per_hour": 360.0, "aht_seconds": 240.0, "answer_time_seconds": 20.0}
    c = required_agents(**common, target_sl=0.8)
    a = required_agents(**common, target_sl=0.8, patience_seconds=180.0)
    low = required_agents(**common, patience_seconds=30.0, max_abandon=0.3)
    at_low = evaluate(**common, agents=low, patience_seconds=30.0)
    below = evaluate(**common, agents=low - 1, patience_seconds=30.0)
    return [
        "- The issue's planner question (360 calls/hour, 240 s AHT, 80 % in 20 s, load 24 "
        f"Erlangs): ours {c} agents (Erlang C), pyworkforce {theirs_one(360, 240, 0.8, 20)}; with "
        f"a mean patience of 180 s (Erlang A, abandoned calls counted as failures) ours {a}. "
        "pyworkforce has no abandonment model.",
        f"- Impatient callers (mean patience 30 s), at most 30 % may hang up: ours {low} agents "
        f"(abandonment {at_low.p_abandon:.1%}; {low - 1} agents give {below.p_abandon:.1%}), "
        "**below the 24-Erlang load**. pyworkforce starts its search at round(load + 1) = 25, so "
        "it can never return fewer agents than the load, whatever the target.",
    ]


def render(report: dict[str, Any]) -> str:
    ours_ms = statistics.median(report["ours"]) * 1000
    theirs_s = report["theirs_per_search"] * report["searches"]
    lines = [
        "## Queueing engine (Erlang C / Erlang A) vs pyworkforce",
        "",
        f"Command: `{COMMAND}` · run {report['date']} · {report['machine']}",
        "",
        "Times are CPU seconds of the benchmark process (medians of repeated runs); both "
        "engines run on one core.",
        "",
        f"Task: agents required for every 15-minute interval of a week ({INTERVALS}) for "
        f"{QUEUES} queues = {report['searches']:,} searches (service-level targets 70-90 % "
        "within 20-60 s, loads from under 1 to about 250 Erlangs). pyworkforce 0.5.1 "
        "(`ErlangC.required_positions`, one interval per call) is the only other Python "
        "library with a staffing search; it has Erlang C only.",
        "",
        "### Speed",
        "",
        "| engine | searches | time (median) | runs | per search |",
        "|---|---:|---:|---:|---:|",
        f"| Truedesk, Erlang C (one vectorised call) | {report['searches']:,} | {ours_ms:.1f} ms | "
        f"{len(report['ours'])} | {ours_ms * 1000 / report['searches']:.2f} µs |",
        f"| pyworkforce, Erlang C (loop) | {report['theirs_cells']:,} of {report['searches']:,} | "
        f"{statistics.median(report['theirs']):.2f} s → {theirs_s:.2f} s for all | "
        f"{len(report['theirs'])} | {report['theirs_per_search'] * 1e6:.0f} µs |",
        f"| Truedesk, Erlang A, same targets, patience 180 s | {report['searches']:,} | "
        f"{statistics.median(report['ours_a']) * 1000:.0f} ms | {len(report['ours_a'])} | "
        f"{statistics.median(report['ours_a']) * 1e6 / report['searches']:.1f} µs |",
        f"| Truedesk, Erlang A, ASA ≤ 20 s, patience 180 s | {report['searches']:,} | "
        f"{statistics.median(report['ours_asa']):.2f} s | {len(report['ours_asa'])} | "
        f"{statistics.median(report['ours_asa']) * 1e6 / report['searches']:.0f} µs |",
        "",
        f"**Ratio on this week: Truedesk is {theirs_s / (ours_ms / 1000):.0f} times faster** "
        "than pyworkforce on the same Erlang C searches (medians; pyworkforce "
        + (
            "timed on the whole week"
            if report["theirs_cells"] == report["searches"]
            else f"timed on every {report['stride']}th interval and extrapolated per search"
        )
        + ").",
        "",
        (
            "The issue's aim of at least 100 times holds on this week."
            if theirs_s / (ours_ms / 1000) >= 100
            else "The issue's aim of at least 100 times is not reached on this week: most of "
            "its intervals are small queues or nights, where pyworkforce's loop is short "
            "(its cost grows with the load, ours hardly does); the aim holds from about "
            "100 Erlangs per queue, as the table below shows."
        ),
        "",
        "By queue size (13,440 intervals of one size, 80 % in 20 s, AHT 300 s; pyworkforce "
        "timed on an evenly spaced subset, our engine on all of them):",
        "",
        *report["by_size"],
        "",
        "### Same answers",
        "",
        *report["answers"],
        report["agreement"],
        report["search_start"],
        *report["abandonment"],
        "",
        "The Erlang A ASA search is the slow one: the mean wait of answered calls has no "
        "closed form and is integrated numerically (about 200 points per queue and staffing).",
        "",
        "The wait-prediction accuracy table (our predictor against the delay-history and "
        "naive ones over simulated days) is in the next section.",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=7, help="runs of our search (median)")
    parser.add_argument("--their-repeat", type=int, default=3, help="runs of pyworkforce's")
    parser.add_argument(
        "--stride", type=int, default=1, help="time pyworkforce on every Nth interval only"
    )
    args = parser.parse_args()
    try:
        import pyworkforce  # noqa: F401
    except ImportError:
        raise SystemExit(
            "This benchmark compares against pyworkforce: .venv/bin/pip install pyworkforce"
        ) from None
    week = week_of_queues()
    ours(week)  # warm up imports and caches, ours and theirs
    theirs(week, np.arange(10))
    our_times, our_n = timed(lambda: ours(week), args.repeat)
    a_times, _ = timed(lambda: ours(week, patience=180.0), max(3, args.repeat // 2))
    asa_week = {"arrivals_per_hour": week["arrivals_per_hour"], "aht_seconds": week["aht_seconds"]}
    asa_times, _ = timed(
        lambda: required_agents(**asa_week, max_asa_seconds=20.0, patience_seconds=180.0),
        args.their_repeat,
    )
    cells = np.arange(0, our_n.size, args.stride)
    their_times, their_n = timed(lambda: theirs(week, cells), args.their_repeat)
    all_theirs = their_n if args.stride == 1 else theirs(week, np.arange(our_n.size))
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "searches": our_n.size,
        "ours": our_times,
        "ours_a": a_times,
        "ours_asa": asa_times,
        "theirs": their_times,
        "theirs_cells": cells.size,
        "theirs_per_search": statistics.median(their_times) / cells.size,
        "stride": args.stride,
        "answers": same_answers(week, our_n, all_theirs),
        "agreement": metric_agreement(week, our_n),
        "search_start": search_start_example(),
        "abandonment": abandonment_example(),
        "by_size": by_size(max(3, args.repeat // 2)),
    }
    text = render(report)
    print(text)
    write_standalone("erlang", text)


if __name__ == "__main__":
    main()
