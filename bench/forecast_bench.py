"""Volume forecasting: the candidates' back-test errors, and the time to plan 20 queues.

    .venv/bin/python -m bench.forecast_bench [--repeat 5]

Synthetic but shaped like a contact centre: 20 queues (phones with a late-morning and an
afternoon peak, email spread over the day; 15 to 1,600 contacts on an ordinary weekday),
busy Mondays and quiet weekends, trends from -2 % to +5 % a week, Lithuanian public
holidays as quiet as Sundays, Poisson noise; ten weeks of history (23 Feb - 3 May 2026:
Independence Restoration Day, Easter Monday and 1 May fall in the back-tested weeks).
Each candidate forecasts each of the last four weeks from the weeks before it (rolling
origin); errors are pooled per queue and interval length. Then the whole plan for the
week after: 20 queues x 672 quarter-hours, back-test and choice included, plus the
agents required (Erlang C, 80 % in 20 s, shrinkage 30 %) in one vectorised call.
"""

from __future__ import annotations

import argparse
import os
import platform
import statistics
import time
from datetime import UTC, date, datetime
from importlib import metadata
from pathlib import Path
from typing import Any

import holidays
import numpy as np

from bench.report import write_standalone
from truedesk.workforce import forecasting as fc
from truedesk.workforce.queueing import required_agents

FIRST = date(2026, 2, 23)
WEEKS = 10
QUEUES = 20
DAY_OF_WEEK = np.array([1.25, 1.1, 1.0, 1.0, 0.9, 0.3, 0.15])
MINUTES = np.arange(0, 24 * 60, 15) + 7.5


def machine() -> str:
    cpu = next(
        (
            line.split(":", 1)[1].strip()
            for line in Path("/proc/cpuinfo").read_text().splitlines()
            if line.startswith("model name")
        ),
        "unknown",
    )
    versions = ", ".join(f"{n} {metadata.version(n)}" for n in ("numpy", "scipy", "holidays"))
    return (
        f"{os.cpu_count()} CPUs (nproc {len(os.sched_getaffinity(0))}), {cpu}; "
        f"Python {platform.python_version()}; {versions}"
    )


def _intraday(email: bool) -> np.ndarray:
    hours = MINUTES / 60
    if email:
        shape = np.exp(-0.5 * ((hours - 13) / 4.5) ** 2) + 0.05
    else:
        shape = np.exp(-0.5 * ((hours - 10.5) / 1.3) ** 2) + 0.8 * np.exp(
            -0.5 * ((hours - 14.5) / 1.6) ** 2
        )
        shape = np.where((hours > 8) & (hours < 20), shape + 0.05, 0.0)
    return shape / shape.sum()


def queues(seed: int = 20260501) -> list[dict[str, Any]]:
    """Each queue's quarter-hour counts over WEEKS + 1 weeks and its day types."""
    rng = np.random.default_rng(seed)
    days = 7 * (WEEKS + 1)
    closed = set(holidays.country_holidays("LT", years=2026))
    types = fc.day_types(FIRST, days, closed)
    made = []
    for q in range(QUEUES):
        daily = float(np.exp(rng.uniform(np.log(15), np.log(1600))))
        growth = rng.uniform(-0.02, 0.05)
        shape = _intraday(email=q % 3 == 2)
        trend = (1 + growth) ** (np.arange(days) / 7)
        mu = (daily * trend * DAY_OF_WEEK[types])[:, None] * shape[None, :]
        made.append({"mu": mu, "counts": rng.poisson(mu).astype(float)})
    return [dict(q, types=types) for q in made]


def _coarsen(counts: np.ndarray, interval: int) -> np.ndarray:
    k = interval // 15
    return counts.reshape(counts.shape[0], -1, k).sum(axis=2)


def comparison(data: list[dict[str, Any]]) -> dict[int, dict[str, dict[str, float]]]:
    """Per interval and method: median WAPE, median MASE over queues, and wins."""
    history = 7 * WEEKS
    result: dict[int, dict[str, dict[str, float]]] = {}
    for interval in fc.INTERVALS:
        per_method: dict[str, dict[str, list[float]]] = {
            m: {"wape": [], "mase": []} for m in fc.METHODS
        }
        wins = dict.fromkeys(fc.METHODS, 0)
        oracle = []
        for queue in data:
            y = _coarsen(queue["counts"][:history], interval)
            # The noise floor: the true Poisson means as the forecast of the same 4 weeks.
            mu = _coarsen(queue["mu"][:history], interval)[-28:]
            oracle.append(float(np.abs(mu - y[-28:]).sum() / y[-28:].sum()))
            scores = fc.backtest(y, queue["types"][:history])
            for score in scores:
                per_method[score.method]["wape"].append(score.wape or 0.0)
                per_method[score.method]["mase"].append(score.mase or 0.0)
            wins[fc.choose(scores).method] += 1
        result[interval] = {
            m: {
                "wape": statistics.median(v["wape"]),
                "mase": statistics.median(v["mase"]),
                "wins": wins[m],
            }
            for m, v in per_method.items()
        }
        result[interval]["oracle"] = {"wape": statistics.median(oracle), "mase": 0.0, "wins": 0}
    return result


def next_week_error(data: list[dict[str, Any]]) -> dict[str, float]:
    """WAPE of the automatically chosen forecast on the unseen eleventh week (30 minutes)."""
    history = 7 * WEEKS
    chosen: list[float] = []
    best_single: dict[str, list[float]] = {m: [] for m in fc.METHODS}
    for queue in data:
        y = _coarsen(queue["counts"], 30)
        types = queue["types"]
        actual = y[history:]
        made = fc.forecast(y[:history], types[:history], types[history:])
        chosen.append(float(np.abs(made.values - actual).sum() / actual.sum()))
        for m, method in fc.METHODS.items():
            predicted = method(y[:history], types[:history], types[history:], 0)
            best_single[m].append(float(np.abs(predicted - actual).sum() / actual.sum()))
    out = {"chosen": statistics.median(chosen)}
    out.update({m: statistics.median(v) for m, v in best_single.items()})
    return out


def plan_time(data: list[dict[str, Any]], repeat: int) -> tuple[list[float], int]:
    """CPU seconds to forecast (back-test included) and staff 20 queues x 672 quarter-hours."""
    history = 7 * WEEKS

    def run() -> int:
        expected = []
        for queue in data:
            types = queue["types"]
            made = fc.forecast(queue["counts"][:history], types[:history], types[history:])
            expected.append(made.values.ravel())
        agents = required_agents(
            arrivals_per_hour=np.concatenate(expected) * 4, aht_seconds=300, target_sl=0.8,
            answer_time_seconds=20,
        )  # fmt: skip
        on_rota = np.ceil(agents / 0.7 - 1e-9)
        return int(on_rota.size)

    run()
    times = []
    for _ in range(repeat):
        start = time.process_time()
        size = run()
        times.append(time.process_time() - start)
    return times, size


NAMES = {
    "seasonal_naive": "Seasonal naive (same day last week)",
    "seasonal_average": "Seasonal average (last 4 same days)",
    "holt_winters": "Exponential smoothing (Holt-Winters, damped)",
    "poisson_regression": "Poisson regression on calendar features",
}


def render(report: dict[str, Any]) -> str:
    lines = [
        "## Volume forecasting (back-test) and staffing-plan time",
        "",
        f"Command: `.venv/bin/python -m bench.forecast_bench` · run {report['date']} · "
        f"{report['machine']}",
        "",
        f"{QUEUES} synthetic queues, {WEEKS} weeks of history (see bench/forecast_bench.py): "
        "each method forecasts each of the last 4 weeks from the weeks before it. WAPE = "
        "absolute errors / contacts (pooled over the 4 weeks); MASE = mean absolute error / "
        "in-sample error of last week's value (below 1 beats it). Medians over the queues; "
        "'chosen' = how often the lowest back-test WAPE picks the method (Truedesk's rule).",
        "",
        "| interval | method | WAPE | MASE | chosen |",
        "|---|---|---:|---:|---:|",
    ]
    for interval, methods in report["comparison"].items():
        for m, v in methods.items():
            if m == "oracle":
                lines.append(
                    f"| {interval} min | *noise floor: the true mean as forecast* | "
                    f"{100 * v['wape']:.1f} % | | |"
                )
                continue
            lines.append(
                f"| {interval} min | {NAMES[m]} | {100 * v['wape']:.1f} % | "
                f"{v['mase']:.2f} | {v['wins']} of {QUEUES} |"
            )
    unseen = report["unseen"]
    lines += [
        "",
        "On the unseen eleventh week (30-minute intervals, median WAPE over the queues): "
        f"the back-test's choice {100 * unseen['chosen']:.1f} %; always seasonal naive "
        f"{100 * unseen['seasonal_naive']:.1f} %, always seasonal average "
        f"{100 * unseen['seasonal_average']:.1f} %, always Holt-Winters "
        f"{100 * unseen['holt_winters']:.1f} %, always Poisson regression "
        f"{100 * unseen['poisson_regression']:.1f} %.",
        "",
        f"Plan computation: {QUEUES} queues x 672 quarter-hours = {report['cells']:,} intervals, "
        "forecast with its back-test (4 methods x 4 origins per queue) and agents required "
        f"in one vectorised Erlang C call: **{1000 * statistics.median(report['times']):.0f} ms** "
        f"(median CPU time of {len(report['times'])} runs). The desk page and "
        "`truedesk forecast` add reading the history and shifts from the database.",
    ]
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    data = queues()
    times, cells = plan_time(data, args.repeat)
    report = {
        "date": datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC"),
        "machine": machine(),
        "comparison": comparison(data),
        "unseen": next_week_error(data),
        "times": times,
        "cells": cells,
    }
    text = render(report)
    print(text)
    write_standalone("forecast", text)


if __name__ == "__main__":
    main()
