"""Published service levels endpoint: each level as published and its gaps in the schedule (staff).

The gaps are those of the page and the `check_promises` command: a
representative week, seven local days from `week_start` (default today) in
each level's zone, compared with the shifts on the schedule.
"""

from __future__ import annotations

from datetime import date

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Query, Router, Schema
from pydantic import Field

from truedesk.api.auth import api_user
from truedesk.api.errors import ApiError, error_responses
from truedesk.api.schemas import DepartmentRef, NamedRef, Timestamp, department_ref, named_ref
from truedesk.calendars import business_time
from truedesk.workforce import selectors
from truedesk.workforce.selectors import Gap, LevelReport

router = Router(tags=["workforce"])

# Weeks business time can compile: a week and a day inside its years.
EARLIEST_WEEK = date(business_time.MIN_YEAR + 1, 1, 1)
LATEST_WEEK = date(business_time.MAX_YEAR - 1, 12, 1)


class LevelsQuery(Schema):
    week_start: date | None = Field(
        default=None,
        ge=EARLIEST_WEEK,
        le=LATEST_WEEK,
        description="First local day of the week checked (YYYY-MM-DD); default: today.",
    )


class GapOut(Schema):
    start: Timestamp
    end: Timestamp = Field(description="May fall after the week: the week repeats.")
    local_start: str = Field(description="The start in the level's zone, ISO 8601.")
    local_end: str = Field(description="The end in the level's zone, ISO 8601.")
    hours_per_week: float
    what: str = Field(description='E.g. "nobody scheduled Fri 20:00 \u2013 Mon 08:00 (60 h/week)".')
    description: str = Field(description="The same, starting with the published text.")


class PublishedLevelOut(Schema):
    id: int
    text: str = Field(description="Word for word as customers read it.")
    channel: str | None = Field(description="Only shifts for this channel count; null: any.")
    department: DepartmentRef | None = Field(description="Only its shifts count; null: any.")
    hours: NamedRef | None = Field(description="The calendar of promised hours; null: 24/7.")
    time_zone: str
    minimum_agents: int
    response_within_seconds: int | None = Field(
        description="Someone must also be on shift this long after the promised hours end."
    )
    gap_hours_per_week: float = Field(description="0 when the schedule keeps the promise.")
    gaps: list[GapOut] = Field(description="Stretches with too few agents on shift, by weekday.")


def _gap_out(gap: Gap) -> GapOut:
    data = gap.as_dict()
    return GapOut(
        start=gap.start,
        end=gap.end,
        local_start=data["local_start"],
        local_end=data["local_end"],
        hours_per_week=data["hours_per_week"],
        what=gap.what,
        description=gap.description,
    )


def level_out(report: LevelReport) -> PublishedLevelOut:
    level = report.level
    within = level.response_within
    return PublishedLevelOut(
        id=level.pk,
        text=level.text,
        channel=level.channel or None,
        department=department_ref(level.department),
        hours=named_ref(level.hours),
        time_zone=level.time_zone,
        minimum_agents=level.minimum_agents,
        response_within_seconds=int(within.total_seconds()) if within is not None else None,
        gap_hours_per_week=round(report.gap_hours, 4),
        gaps=[_gap_out(gap) for gap in report.gaps],
    )


@router.get(
    "",
    response={200: list[PublishedLevelOut], **error_responses(401, 403, 422)},
    operation_id="listPublishedServiceLevels",
)
def list_published_service_levels(
    request: HttpRequest, query: Query[LevelsQuery]
) -> list[PublishedLevelOut]:
    """Every active published service level with its current gaps against the shifts (staff)."""
    if not api_user(request).is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff may read the published service levels."))
    reports = selectors.report_published_service_levels(week_start=query.week_start)
    return [level_out(report) for report in reports]
