"""Workforce desk pages: the Erlang calculator, and the week's forecast and staffing plan."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.formats import date_format, number_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext
from django.views.decorators.http import require_GET

from truedesk.desk.access import staff_required
from truedesk.workforce.calculator import (
    StaffingAnswer,
    answer_staffing_question,
    queueing_error_message,
)
from truedesk.workforce.errors import InvalidPlan
from truedesk.workforce.forms import ErlangForm, PlanForm
from truedesk.workforce.queueing import ERLANG_A, QueueingInputError, QueueMetrics
from truedesk.workforce.selectors import format_hours
from truedesk.workforce.staffing_plan import (
    DEFAULT_INTERVAL,
    QueuePlan,
    list_plan_queues,
    plan_queues,
)


def percent(value: float) -> str:
    """A fraction as a localised percentage with one decimal, e.g. "84.0 %" (no line break)."""
    # number_format truncates; round first so that 82.76 reads 82.8, as floatformat would.
    return f"{number_format(round(100 * value, 1), 1)}\u00a0%"


def seconds(value: float) -> str:
    """A localised number of seconds: whole when it is whole ("20"), else one decimal."""
    rounded = round(value, 1)
    return number_format(rounded, 0 if rounded == round(rounded) else 1)


def summary(answer: StaffingAnswer) -> str:
    """The answer in one or two plain sentences, the way a planner would say it."""
    result = answer.result
    values = {
        "agents": result.agents,
        "sl": percent(result.service_level),
        "answer": seconds(result.answer_time_seconds),
        "asa": seconds(result.asa_seconds),
        "occupancy": percent(result.occupancy),
        "wait": percent(result.p_wait),
    }
    if answer.searched:
        text = ngettext(
            "You need %(agents)s agent: %(sl)s answered within %(answer)s s, average speed "
            "of answer %(asa)s s, occupancy %(occupancy)s, %(wait)s wait at all.",
            "You need %(agents)s agents: %(sl)s answered within %(answer)s s, average speed "
            "of answer %(asa)s s, occupancy %(occupancy)s, %(wait)s wait at all.",
            result.agents,
        )
    else:
        text = ngettext(
            "With %(agents)s agent: %(sl)s answered within %(answer)s s, average speed "
            "of answer %(asa)s s, occupancy %(occupancy)s, %(wait)s wait at all.",
            "With %(agents)s agents: %(sl)s answered within %(answer)s s, average speed "
            "of answer %(asa)s s, occupancy %(occupancy)s, %(wait)s wait at all.",
            result.agents,
        )
    sentences = [text % values]
    if result.model == ERLANG_A:
        abandon = percent(result.p_abandon)
        sentences.append(_("%(abandon)s hang up before answer.") % {"abandon": abandon})
    if not answer.searched and answer.meets_targets is not None:
        sentences.append(
            _("This meets your targets.")
            if answer.meets_targets
            else _("This misses your targets.")
        )
    return " ".join(sentences)


def _row(metrics: QueueMetrics, answer: StaffingAnswer) -> dict[str, Any]:
    return {
        "agents": metrics.agents,
        "is_answer": metrics.agents == answer.result.agents,
        "service_level": percent(metrics.service_level),
        "p_wait": percent(metrics.p_wait),
        "asa": seconds(metrics.asa_seconds),
        "occupancy": percent(metrics.occupancy),
        "p_abandon": percent(metrics.p_abandon),
    }


def _chart(answer: StaffingAnswer) -> dict[str, Any]:
    """What staffing.js draws; read from a json_script block, since the CSP forbids inline JS."""
    with_abandon = answer.result.model == ERLANG_A
    target = answer.question.target_sl
    return {
        "agents": [m.agents for m in answer.curve],
        "service_level": [round(100 * m.service_level, 2) for m in answer.curve],
        "abandon": [round(100 * m.p_abandon, 2) for m in answer.curve] if with_abandon else None,
        "target": None if target is None else round(100 * target, 2),
        "answer": answer.result.agents,
        "labels": {
            "service_level": _("Service level (%)"),
            "abandon": _("Abandonment (%)"),
            "target": _("Service-level target (%)"),
            "agents": _("Agents"),
            "percent": _("Percent of contacts"),
        },
    }


@require_GET
@staff_required
def erlang(request: HttpRequest) -> HttpResponse:
    """Agents required (or a staffing's performance) for a queue, with the curve around it."""
    submitted = any(name in request.GET for name in ErlangForm.base_fields)
    form = ErlangForm(request.GET) if submitted else ErlangForm()
    answer = None
    if submitted and form.is_valid():
        try:
            answer = answer_staffing_question(form.question())
        except QueueingInputError as error:
            form.add_error(None, queueing_error_message(error))
    context: dict[str, Any] = {"nav": "staffing", "form": form, "answer": answer}
    if answer is not None:
        context.update(
            summary=summary(answer),
            load=number_format(round(answer.result.load_erlangs, 2), 2),
            patience=None
            if answer.result.patience_seconds is None
            else seconds(answer.result.patience_seconds),
            rows=[_row(metrics, answer) for metrics in answer.curve],
            chart=_chart(answer),
        )
    # A GET page that explains a question without an answer is still a page: 200, like a
    # search with no results (a 4xx would also read as a failed load in the console).
    return render(request, "workforce/erlang.html", context)


METHOD_NAMES = {
    "seasonal_naive": gettext_lazy("Same day last week"),
    "seasonal_average": gettext_lazy("Average of the last four weeks"),
    "holt_winters": gettext_lazy("Exponential smoothing (Holt-Winters)"),
    "poisson_regression": gettext_lazy("Regression on calendar features (Poisson)"),
}


def _error(value: float | None) -> str:
    return "\u2013" if value is None else percent(value)


def _mase(value: float | None) -> str:
    return "\u2013" if value is None else number_format(round(value, 2), 2)


def _summary_row(plan: QueuePlan) -> dict[str, Any]:
    chosen = plan.forecast.chosen if plan.forecast else None
    return {
        "queue": plan.queue,
        "has_forecast": plan.forecast is not None,
        "total": number_format(round(plan.total_forecast), 0),
        "method": METHOD_NAMES.get(plan.forecast.method, "") if plan.forecast else "",
        "wape": _error(chosen.wape if chosen else None),
        "under_hours": format_hours(plan.under_hours),
        "short_agent_hours": format_hours(plan.short_agent_hours),
        "is_short": plan.worst is not None,
        "shrinkage": percent(plan.queue.shrinkage),
    }


def _plan_chart(plan: QueuePlan) -> dict[str, Any]:
    """What plan.js draws: forecast, agents needed and scheduled, over/under per interval."""
    labels = [date_format(timezone.localtime(i.start), "D H:i") for i in plan.intervals]
    return {
        "labels": labels,
        "forecast": [round(i.forecast, 2) for i in plan.intervals],
        "required": [i.required_scheduled for i in plan.intervals],
        "scheduled": [round(i.scheduled, 2) for i in plan.intervals],
        "over": [round(i.over, 2) for i in plan.intervals],
        "text": {
            "forecast": _("Forecast contacts"),
            "required": _("Agents needed on the schedule"),
            "scheduled": _("Agents scheduled"),
            "over": _("Over (+) or under (-) coverage"),
            "agents": _("Agents"),
            "contacts": _("Contacts"),
        },
    }


@require_GET
@staff_required
def plan(request: HttpRequest) -> HttpResponse:
    """Next week's forecast, agents required and coverage for every queue, one in detail."""
    form = PlanForm(request.GET or None)
    interval, week, selected = DEFAULT_INTERVAL, None, None
    if form.is_bound and form.is_valid():
        interval = form.cleaned_data["interval"] or DEFAULT_INTERVAL
        week = form.cleaned_data["week"]
        selected = form.cleaned_data["queue"]
    queues = list_plan_queues()
    try:
        plans = plan_queues(queues, week_start=week, interval_minutes=interval)
    except InvalidPlan as error:
        form.add_error("week", error.message)
        plans = plan_queues(queues, interval_minutes=interval)
    if selected is None and plans:
        selected = plans[0].queue
    detail = next((p for p in plans if selected and p.queue.pk == selected.pk), None)
    context: dict[str, Any] = {
        "nav": "staffing",
        "form": form,
        "plans": plans,
        "rows": [_summary_row(p) for p in plans],
        "detail": detail,
        "interval": interval,
    }
    if detail is not None and detail.forecast is not None:
        context.update(
            chart=_plan_chart(detail),
            detail_row=_summary_row(detail),
            candidates=[
                {
                    "name": METHOD_NAMES.get(score.method, score.method),
                    "wape": _error(score.wape),
                    "mase": _mase(score.mase),
                    "chosen": score.method == detail.forecast.method,
                }
                for score in detail.forecast.scores
            ],
            origins=detail.forecast.chosen.origins,
            week_end=detail.week_start + timedelta(days=6),
        )
    return render(request, "workforce/plan.html", context)
