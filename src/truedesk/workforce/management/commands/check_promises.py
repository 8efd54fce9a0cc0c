"""`truedesk check-promises`: published service levels against the shifts; every gap listed."""

from __future__ import annotations

import argparse
import json
from datetime import date
from typing import Any

from django.core.management.base import BaseCommand, CommandParser
from django.utils.translation import gettext as _

from truedesk.workforce import selectors
from truedesk.workforce.staffing_plan import report_staffing_shortfalls


def _date(value: str) -> date:
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(
            _("give the week's first day as YYYY-MM-DD, not %r") % value
        ) from None


class Command(BaseCommand):
    help = (
        "List every gap between the service levels the company publishes and the staffing "
        "schedule, over a representative week (the coming seven days by default), and every "
        "queue whose forecast needs more agents than its shifts schedule."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument(
            "--week-start",
            type=_date,
            default=None,
            help="First day of the week to check (YYYY-MM-DD, in each level's time zone).",
        )
        parser.add_argument("--json", action="store_true", help="Print the gaps as JSON.")
        parser.add_argument(
            "--fail-on-gap",
            action="store_true",
            help="Exit with status 1 when there is any gap or shortfall (for CI and monitoring).",
        )

    def handle(self, *args: Any, **options: Any) -> None:
        reports = selectors.report_published_service_levels(week_start=options["week_start"])
        gaps = [gap for report in reports for gap in report.gaps]
        # Queues whose forecast needs more agents than the shifts schedule: the published
        # service level cannot be met then even where somebody is on shift.
        shortfalls = report_staffing_shortfalls(week_start=options["week_start"])
        if options["json"]:
            body = {
                "levels": [
                    {
                        "id": report.level.pk,
                        "text": report.level.text,
                        "gap_hours_per_week": round(report.gap_hours, 4),
                        "gaps": [gap.as_dict() for gap in report.gaps],
                    }
                    for report in reports
                ],
                "gap_count": len(gaps),
                "staffing_shortfalls": [shortfall.as_dict() for shortfall in shortfalls],
            }
            self.stdout.write(json.dumps(body, indent=2, ensure_ascii=False))
        else:
            if not reports:
                self.stdout.write(_("No published service levels to check."))
            elif not gaps:
                self.stdout.write(_("No gaps: every published service level is staffed."))
            else:
                for gap in gaps:
                    self.stdout.write(gap.description)
            for shortfall in shortfalls:
                self.stdout.write(shortfall.description)
        if (gaps or shortfalls) and options["fail_on_gap"]:
            raise SystemExit(1)
