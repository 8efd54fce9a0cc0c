"""Truedesk's queueing engine: Erlang B, C and A, staffing search and a checking simulator.

Pure Python + NumPy/SciPy (no Django; an import-linter contract holds this). Units are
in the names: arrivals per hour, times in seconds, probabilities as fractions in [0, 1].
Scalars or NumPy arrays (broadcast together) are accepted everywhere; impossible inputs
raise QueueingInputError (a ValueError), never NaN. See docs/decisions/0010-queueing-engine.md.

    erlang_b(agents, load) -> float | array
    erlang_c(agents, load) -> float | array            # load < agents
    evaluate(*, arrivals_per_hour, aht_seconds, agents, answer_time_seconds,
             patience_seconds=None) -> QueueMetrics     # Erlang A with patience, else C
    evaluate_many(... same, arrays ...) -> QueueMetricsArray
    required_agents(*, arrivals_per_hour, aht_seconds, target_sl=None,
                    answer_time_seconds=None, patience_seconds=None,
                    max_asa_seconds=None, max_abandon=None) -> int | array
    meets_targets(metrics, *, target_sl=None, max_asa_seconds=None, max_abandon=None) -> bool
    simulate_queue(...) -> SimulatedMetrics              # for validation
"""

from truedesk.workforce.queueing.erlang import (
    ERLANG_A,
    ERLANG_C,
    QueueMetrics,
    QueueMetricsArray,
    erlang_b,
    erlang_c,
    evaluate,
    evaluate_many,
)
from truedesk.workforce.queueing.errors import QueueingInputError
from truedesk.workforce.queueing.inputs import MAX_AGENTS
from truedesk.workforce.queueing.simulation import SimulatedMetrics, simulate_queue
from truedesk.workforce.queueing.staffing import meets_targets, required_agents

__all__ = [
    "ERLANG_A",
    "ERLANG_C",
    "MAX_AGENTS",
    "QueueMetrics",
    "QueueMetricsArray",
    "QueueingInputError",
    "SimulatedMetrics",
    "erlang_b",
    "erlang_c",
    "evaluate",
    "evaluate_many",
    "meets_targets",
    "required_agents",
    "simulate_queue",
]
