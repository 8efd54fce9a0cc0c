"""The planner's Erlang calculator: one staffing answer and the curve around it.

Shared by the API (`POST /api/v1/workforce/erlang`) and the desk page
(`/desk/staffing/`) so both give the same figures as `truedesk erlang`. It reads
nothing from the database: the queueing engine does the work.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
from django.utils.translation import gettext as _

from truedesk.workforce.queueing import (
    ERLANG_C,
    MAX_AGENTS,
    QueueingInputError,
    QueueMetrics,
    evaluate,
    evaluate_many,
    meets_targets,
    required_agents,
)
from truedesk.workforce.queueing.staffing import TOO_MANY

DEFAULT_ANSWER_TIME_SECONDS = 20.0
# Agent counts either side of the answer that the curve (the page's chart) shows.
CURVE_SPAN = 10


@dataclass(frozen=True, kw_only=True)
class StaffingQuestion:
    """What a planner asks: a queue, targets, and optionally a staffing to evaluate."""

    arrivals_per_hour: float
    aht_seconds: float
    answer_time_seconds: float = DEFAULT_ANSWER_TIME_SECONDS
    target_sl: float | None = None
    patience_seconds: float | None = None
    agents: int | None = None
    max_asa_seconds: float | None = None
    max_abandon: float | None = None

    @property
    def targets(self) -> dict[str, float]:
        """The targets that were given, by the engine's keyword names."""
        given = {
            "target_sl": self.target_sl,
            "max_asa_seconds": self.max_asa_seconds,
            "max_abandon": self.max_abandon,
        }
        return {name: value for name, value in given.items() if value is not None}


@dataclass(frozen=True)
class StaffingAnswer:
    """The staffing found (or evaluated), whether it meets the targets, and its neighbours."""

    question: StaffingQuestion
    result: QueueMetrics
    searched: bool
    meets_targets: bool | None
    curve: list[QueueMetrics]


def answer_staffing_question(question: StaffingQuestion) -> StaffingAnswer:
    """The fewest agents meeting the targets (or the given staffing's metrics) and the curve.

    Raises QueueingInputError, with a message for the planner, when the question has no
    meaningful answer (bad numbers, no target, an unstable Erlang C staffing, too many agents).
    """
    agents = question.agents
    searched = agents is None
    if agents is None:
        agents = required_agents(
            arrivals_per_hour=question.arrivals_per_hour,
            aht_seconds=question.aht_seconds,
            answer_time_seconds=question.answer_time_seconds,
            patience_seconds=question.patience_seconds,
            **question.targets,
        )
        if agents > MAX_AGENTS:
            # The engine's Erlang C walk can step past its own limit; say what the
            # search says elsewhere rather than blame an agent count nobody typed.
            raise QueueingInputError(
                TOO_MANY,
                limit=f"{MAX_AGENTS:,}",
                arrivals=question.arrivals_per_hour,
                aht=question.aht_seconds,
            )
    result = evaluate(
        arrivals_per_hour=question.arrivals_per_hour,
        aht_seconds=question.aht_seconds,
        agents=agents,
        answer_time_seconds=question.answer_time_seconds,
        patience_seconds=question.patience_seconds,
    )
    targets = question.targets
    meets = meets_targets(result, **targets) if targets else None
    return StaffingAnswer(
        question=question,
        result=result,
        searched=searched,
        meets_targets=meets,
        curve=_curve(question, result),
    )


def _curve(question: StaffingQuestion, result: QueueMetrics) -> list[QueueMetrics]:
    """Metrics for CURVE_SPAN agent counts either side of the result, all in one pass.

    Erlang C starts at the first stable count (more agents than the load): below it the
    queue grows without end and there is nothing to plot.
    """
    low = max(1, result.agents - CURVE_SPAN)
    if result.model == ERLANG_C:
        low = max(low, math.floor(result.load_erlangs) + 1)
    high = min(max(result.agents, low) + CURVE_SPAN, MAX_AGENTS)
    counts = np.arange(low, high + 1)
    many = evaluate_many(
        arrivals_per_hour=question.arrivals_per_hour,
        aht_seconds=question.aht_seconds,
        agents=counts,
        answer_time_seconds=question.answer_time_seconds,
        patience_seconds=question.patience_seconds,
    )
    return [many.at(i) for i in range(counts.size)]


def queueing_error_message(error: QueueingInputError) -> str:
    """The engine's message in the active language, its placeholders filled in."""
    # Always %-format, even without params: templates spell a literal percent as "%%".
    return _(error.template) % error.params
