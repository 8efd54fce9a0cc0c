"""`{% availability_gaps %}`: the desk home's notice of published service levels with gaps.

A gap stays on the dashboard until the shifts cover it or the published text
changes (issue 3); the notice names each level with its uncovered hours a week
and links to the availability page with the gaps spelled out.
"""

from __future__ import annotations

from typing import Any

from django import template

from truedesk.workforce import selectors as workforce_selectors

register = template.Library()


@register.inclusion_tag("desk/partials/availability_gaps.html")
def availability_gaps() -> dict[str, Any]:
    reports = [
        report for report in workforce_selectors.report_published_service_levels() if report.gaps
    ]
    return {"reports": reports}
