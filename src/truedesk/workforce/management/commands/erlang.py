"""`truedesk erlang`: agents required for a queue, or how a given staffing performs."""

from __future__ import annotations

import json
from argparse import ArgumentParser
from typing import Any

from django.core.management.base import BaseCommand, CommandError
from django.utils.translation import gettext as _

from truedesk.workforce.queueing import (
    ERLANG_A,
    QueueingInputError,
    QueueMetrics,
    evaluate,
    meets_targets,
    required_agents,
)

DEFAULT_ANSWER_TIME = 20.0


class Command(BaseCommand):
    help = _(
        "Erlang C / Erlang A: the fewest agents meeting a target, or (with --agents) the "
        "service level, waits, occupancy and abandonment of a given staffing."
    )
    requires_system_checks: list[str] = []
    requires_migrations_checks = False

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument(
            "--arrivals-per-hour", type=float, required=True, help=_("Contacts offered per hour.")
        )
        parser.add_argument(
            "--aht", type=float, required=True, help=_("Average handling time, in seconds.")
        )
        parser.add_argument(
            "--answer-time",
            type=float,
            default=DEFAULT_ANSWER_TIME,
            help=_("Answer time the service level is measured against, in seconds (default 20)."),
        )
        parser.add_argument(
            "--target-sl", type=float, help=_("Service-level target as a fraction, e.g. 0.8.")
        )
        parser.add_argument(
            "--max-asa", type=float, help=_("Largest acceptable average speed of answer, seconds.")
        )
        parser.add_argument(
            "--max-abandon",
            type=float,
            help=_("Largest acceptable fraction of callers hanging up (needs --patience)."),
        )
        parser.add_argument(
            "--patience",
            type=float,
            help=_("Callers' average patience in seconds: uses Erlang A (with abandonment)."),
        )
        parser.add_argument(
            "--agents", type=int, help=_("Evaluate this many agents instead of searching.")
        )
        parser.add_argument("--json", action="store_true", help=_("Print JSON."))

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            metrics = self._compute(options)
            targets = _targets(options)
            meets = meets_targets(metrics, **targets) if targets else None
        except QueueingInputError as exc:
            message = _(exc.template) % exc.params
            raise CommandError(message) from None
        if options["json"]:
            self.stdout.write(json.dumps(_as_json(metrics, options, targets, meets), indent=2))
        else:
            self.stdout.write(_as_table(metrics, options, meets))

    def _compute(self, options: dict[str, Any]) -> QueueMetrics:
        agents = options["agents"]
        if agents is None:
            agents = required_agents(
                arrivals_per_hour=options["arrivals_per_hour"],
                aht_seconds=options["aht"],
                target_sl=options["target_sl"],
                answer_time_seconds=options["answer_time"],
                patience_seconds=options["patience"],
                max_asa_seconds=options["max_asa"],
                max_abandon=options["max_abandon"],
            )
        return evaluate(
            arrivals_per_hour=options["arrivals_per_hour"],
            aht_seconds=options["aht"],
            agents=agents,
            answer_time_seconds=options["answer_time"],
            patience_seconds=options["patience"],
        )


def _targets(options: dict[str, Any]) -> dict[str, float]:
    names = {"target_sl": "target_sl", "max_asa": "max_asa_seconds", "max_abandon": "max_abandon"}
    return {out: options[key] for key, out in names.items() if options[key] is not None}


def _as_json(
    metrics: QueueMetrics, options: dict[str, Any], targets: dict[str, float], meets: bool | None
) -> dict[str, Any]:
    return {
        "model": metrics.model,
        "mode": "evaluate" if options["agents"] is not None else "search",
        "inputs": {
            "arrivals_per_hour": metrics.arrivals_per_hour,
            "aht_seconds": metrics.aht_seconds,
            "answer_time_seconds": metrics.answer_time_seconds,
            "patience_seconds": metrics.patience_seconds,
            "load_erlangs": metrics.load_erlangs,
        },
        "targets": targets,
        "agents": metrics.agents,
        "meets_targets": meets,
        "metrics": {
            "p_wait": metrics.p_wait,
            "service_level": metrics.service_level,
            "asa_seconds": metrics.asa_seconds,
            "average_wait_seconds": metrics.average_wait_seconds,
            "occupancy": metrics.occupancy,
            "p_abandon": metrics.p_abandon if metrics.model == ERLANG_A else None,
        },
    }


def _percent(value: float) -> str:
    return f"{100 * value:.1f} %"


def _seconds(value: float) -> str:
    return _("%(seconds).1f s") % {"seconds": value}


def _as_table(metrics: QueueMetrics, options: dict[str, Any], meets: bool | None) -> str:
    searching = options["agents"] is None
    if metrics.model == ERLANG_A:
        heading = _(
            "Erlang A (M/M/n+M): %(arrivals)g arrivals/hour, AHT %(aht)g s, "
            "patience %(patience)g s, offered load %(load).2f Erlangs"
        ) % {
            "arrivals": metrics.arrivals_per_hour,
            "aht": metrics.aht_seconds,
            "patience": metrics.patience_seconds,
            "load": metrics.load_erlangs,
        }
    else:
        heading = _(
            "Erlang C (M/M/n): %(arrivals)g arrivals/hour, AHT %(aht)g s, "
            "offered load %(load).2f Erlangs"
        ) % {
            "arrivals": metrics.arrivals_per_hour,
            "aht": metrics.aht_seconds,
            "load": metrics.load_erlangs,
        }
    rows = [
        (_("Agents required") if searching else _("Agents"), str(metrics.agents)),
        (_("Probability of waiting"), _percent(metrics.p_wait)),
        (_("Average speed of answer"), _seconds(metrics.asa_seconds)),
        (_("Average wait, all contacts"), _seconds(metrics.average_wait_seconds)),
        (
            _("Service level (%(seconds)g s)") % {"seconds": metrics.answer_time_seconds},
            _percent(metrics.service_level),
        ),
        (_("Occupancy"), _percent(metrics.occupancy)),
    ]
    if metrics.model == ERLANG_A:
        rows.append((_("Abandonment"), _percent(metrics.p_abandon)))
    if meets is not None and not searching:
        rows.append((_("Meets the targets"), _("yes") if meets else _("no")))
    width = max(len(label) for label, _value in rows)
    lines = [heading, ""] + [f"  {label.ljust(width)}  {value}" for label, value in rows]
    return "\n".join(lines)
