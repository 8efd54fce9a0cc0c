"""REST API v1 for workforce planning: the Erlang calculator and queue forecasts (staff only)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Literal

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router, Schema
from pydantic import Field

from truedesk.api.auth import api_user
from truedesk.api.errors import ERROR_RESPONSES, ApiError
from truedesk.workforce.calculator import (
    DEFAULT_ANSWER_TIME_SECONDS,
    StaffingAnswer,
    StaffingQuestion,
    answer_staffing_question,
    queueing_error_message,
)
from truedesk.workforce.forecasting import INTERVALS
from truedesk.workforce.models import ContactQueue
from truedesk.workforce.queueing import ERLANG_A, MAX_AGENTS, QueueingInputError, QueueMetrics
from truedesk.workforce.staffing_plan import plan_queue

router = Router(tags=["workforce"])

# Strict: JSON `true` or "360" is not a number of calls. Ranges (no NaN, no negative
# handling time, fractions below 1…) are the engine's, which explains them to people.
Number = Annotated[float, Field(strict=True)]


class ErlangIn(Schema):
    arrivals_per_hour: Number = Field(description="Contacts offered per hour.")
    aht_seconds: Number = Field(description="Average handling time, in seconds.")
    answer_time_seconds: Number = Field(
        default=DEFAULT_ANSWER_TIME_SECONDS,
        description="Answer time the service level is measured against, in seconds.",
    )
    target_sl: Number | None = Field(
        default=None, description="Service-level target as a fraction, e.g. 0.8 for 80 %."
    )
    patience_seconds: Number | None = Field(
        default=None,
        description="Callers' average patience in seconds: uses Erlang A (with abandonment).",
    )
    agents: Annotated[int, Field(strict=True, ge=0, le=MAX_AGENTS)] | None = Field(
        default=None, description="Evaluate this many agents instead of searching."
    )
    max_asa_seconds: Number | None = Field(
        default=None, description="Largest acceptable average speed of answer, in seconds."
    )
    max_abandon: Number | None = Field(
        default=None,
        description="Largest acceptable fraction hanging up (needs patience_seconds).",
    )


class ErlangPointOut(Schema):
    agents: int
    p_wait: float = Field(description="Probability that a contact waits at all.")
    service_level: float = Field(description="Fraction answered within the answer time.")
    asa_seconds: float = Field(description="Average speed of answer of answered contacts.")
    average_wait_seconds: float = Field(description="Mean wait of all contacts.")
    occupancy: float = Field(description="Mean fraction of agents busy.")
    p_abandon: float | None = Field(description="Fraction hanging up; null for Erlang C.")


class ErlangOut(ErlangPointOut):
    model: Literal["erlang_c", "erlang_a"]
    mode: Literal["search", "evaluate"] = Field(
        description="search: the fewest agents meeting the targets; evaluate: the given agents."
    )
    load_erlangs: float = Field(description="Offered load: arrivals per second times AHT.")
    meets_targets: bool | None = Field(description="Null when no target was given.")
    curve: list[ErlangPointOut] = Field(
        description="The same metrics for agent counts around the answer (for a chart)."
    )


def _point(metrics: QueueMetrics) -> ErlangPointOut:
    return ErlangPointOut(
        agents=metrics.agents,
        p_wait=metrics.p_wait,
        service_level=metrics.service_level,
        asa_seconds=metrics.asa_seconds,
        average_wait_seconds=metrics.average_wait_seconds,
        occupancy=metrics.occupancy,
        p_abandon=metrics.p_abandon if metrics.model == ERLANG_A else None,
    )


def erlang_out(answer: StaffingAnswer) -> ErlangOut:
    result = answer.result
    return ErlangOut(
        **_point(result).model_dump(),
        model="erlang_a" if result.model == ERLANG_A else "erlang_c",
        mode="search" if answer.searched else "evaluate",
        load_erlangs=result.load_erlangs,
        meets_targets=answer.meets_targets,
        curve=[_point(metrics) for metrics in answer.curve],
    )


@router.post(
    "/erlang", response={200: ErlangOut, **ERROR_RESPONSES}, operation_id="calculateErlang"
)
def calculate_erlang(request: HttpRequest, payload: ErlangIn) -> ErlangOut:
    """Agents required for a queue (or how a given staffing performs), with the curve (staff).

    Without `patience_seconds` the model is Erlang C (nobody hangs up); with it, Erlang A.
    Questions without a meaningful answer get 422 `invalid_input` with an explanation.
    """
    if not api_user(request).is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff may use the staffing calculator."))
    question = StaffingQuestion(**payload.model_dump())
    try:
        answer = answer_staffing_question(question)
    except QueueingInputError as error:
        raise ApiError(422, "invalid_input", queueing_error_message(error)) from None
    return erlang_out(answer)


class ForecastScoreOut(Schema):
    method: str
    wape: float | None = Field(description="Absolute errors over actual contacts, pooled.")
    mase: float | None = Field(description="Mean absolute error over last week's (in-sample).")
    origins: int = Field(description="Weeks back-tested (rolling origin).")


class ForecastIntervalOut(Schema):
    start: datetime
    end: datetime
    forecast: float = Field(description="Expected contacts offered in the interval.")
    required_agents: int = Field(description="Agents needed answering for the queue's targets.")
    required_scheduled: int = Field(description="Agents needed on the schedule (shrinkage).")
    scheduled_agents: float = Field(description="Average agents on shift in the interval.")


class QueueRefOut(Schema):
    id: int
    slug: str
    name: str


class QueueForecastOut(Schema):
    queue: QueueRefOut
    week_start: date
    time_zone: str
    interval_minutes: int
    history_days: int
    method: str | None = Field(description="The forecast method the back-test chose.")
    backtest: ForecastScoreOut | None = Field(description="The chosen method's back-test error.")
    candidates: list[ForecastScoreOut]
    problem: str = Field(description="Why there is no forecast or staffing, if there is not.")
    total_forecast: float
    under_covered_hours: float
    short_agent_hours: float
    intervals: list[ForecastIntervalOut]


@router.get(
    "/queues/{queue_id}/forecast",
    response={200: QueueForecastOut, **ERROR_RESPONSES},
    operation_id="getQueueForecast",
)
def queue_forecast(
    request: HttpRequest,
    queue_id: int,
    interval: int = 30,
    week: date | None = None,
) -> QueueForecastOut:
    """A queue's forecast for a week (default: the coming Monday), its back-test error, and
    the agents required and scheduled per interval (staff only).

    Without a week of history `method` is null, `intervals` empty and `problem` says why.
    """
    if not api_user(request).is_staff_member:
        raise ApiError(403, "not_allowed", _("Only staff may see staffing plans."))
    queue = ContactQueue.objects.select_related("department").filter(pk=queue_id).first()
    if queue is None:
        raise ApiError(404, "not_found", _("There is no such queue."))
    if interval not in INTERVALS:
        raise ApiError(
            422, "invalid_input", _("The interval must be 15, 30 or 60 minutes, not %d.") % interval
        )
    plan = plan_queue(queue, week_start=week, interval_minutes=interval)
    return QueueForecastOut(**plan.as_dict())
