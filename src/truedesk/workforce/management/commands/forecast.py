"""`truedesk forecast`: next week's contacts, agents required and scheduled, per queue."""

from __future__ import annotations

import argparse
import json
import sys
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.utils.translation import gettext as _
from tqdm import tqdm

from truedesk.workforce.errors import InvalidPlan
from truedesk.workforce.models import ContactQueue
from truedesk.workforce.selectors import format_hours
from truedesk.workforce.staffing_plan import (
    DEFAULT_INTERVAL,
    QueuePlan,
    list_plan_queues,
    plan_queues,
)


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("give the week's first day as YYYY-MM-DD, not %r") % value
        ) from None


class Command(BaseCommand):
    help = (
        "Forecast next week's contacts per interval for a queue (or every active queue), "
        "with the back-test error and the agents required and scheduled."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--queue",
            action="append",
            metavar="SLUG",
            help="The queue's identifier; repeat for several. Default: every active queue.",
        )
        parser.add_argument(
            "--interval",
            type=int,
            choices=(15, 30, 60),
            default=DEFAULT_INTERVAL,
            help="Interval length in minutes (default 30).",
        )
        parser.add_argument(
            "--week",
            type=_date,
            default=None,
            help="First day of the week (YYYY-MM-DD); default the coming Monday.",
        )
        parser.add_argument(
            "--json",
            action="store_true",
            help="Print JSON: one object for one queue, a list of them for several.",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        slugs = options["queue"]
        if slugs:
            found = {q.slug: q for q in ContactQueue.objects.filter(slug__in=slugs)}
            missing = [slug for slug in slugs if slug not in found]
            if missing:
                raise CommandError(_("No queue %(slug)s.") % {"slug": ", ".join(missing)})
            queues = [found[slug] for slug in dict.fromkeys(slugs)]
        else:
            queues = list_plan_queues()
        if not queues:
            raise CommandError(_("No active queues to forecast."))
        many = len(queues) > 1

        def progress(items: Any) -> Any:
            # On stderr, so that --json output stays clean; only when there are several.
            return tqdm(items, desc=_("Forecasting"), unit=_("queue"), file=sys.stderr)

        try:
            plans = plan_queues(
                queues,
                week_start=options["week"],
                interval_minutes=options["interval"],
                progress=progress if many else None,
            )
        except InvalidPlan as error:
            raise CommandError(error.message) from None
        if options["json"]:
            body: Any = [plan.as_dict() for plan in plans]
            self.stdout.write(json.dumps(body if many else body[0], indent=2, ensure_ascii=False))
            return
        for plan in plans:
            self.stdout.write(_describe(plan))


def _describe(plan: QueuePlan) -> str:
    lines = [
        _("%(queue)s, week from %(week)s (%(zone)s), %(minutes)d-minute intervals")
        % {
            "queue": plan.queue.name,
            "week": plan.week_start.isoformat(),
            "zone": plan.zone.key,
            "minutes": plan.interval_minutes,
        }
    ]
    if plan.forecast is None:
        lines.append("  " + plan.problem)
        return "\n".join(lines) + "\n"
    chosen = plan.forecast.chosen
    error = (
        _("back-test WAPE %(wape).1f %%, MASE %(mase)s over %(weeks)d weeks")
        % {
            "wape": 100 * chosen.wape,
            "mase": "-" if chosen.mase is None else f"{chosen.mase:.2f}",
            "weeks": chosen.origins,
        }
        if chosen.wape is not None
        else _("no back-test yet (needs three weeks of history)")
    )
    lines.append(
        "  "
        + _("%(total).0f contacts forecast by %(method)s; %(error)s")
        % {"total": plan.total_forecast, "method": plan.forecast.method, "error": error}
    )
    if plan.problem:
        lines.append("  " + plan.problem)
    lines.append(
        "  "
        + _("under-covered %(hours)s h, %(agent_hours)s agent-hours short")
        % {
            "hours": format_hours(plan.under_hours),
            "agent_hours": format_hours(plan.short_agent_hours),
        }
    )
    lines.append("  " + _("start (local)      contacts  needed  on rota  scheduled"))
    for i in plan.intervals:
        lines.append(
            f"  {i.start.astimezone(plan.zone):%a %m-%d %H:%M}  {i.forecast:8.1f}  "
            f"{i.required:6d}  {i.required_scheduled:7d}  {i.scheduled:9.2f}"
        )
    return "\n".join(lines) + "\n"
