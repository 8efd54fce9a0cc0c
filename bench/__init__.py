"""Truedesk benchmarks: a bulk data generator and page timings (`python -m bench`).

This module holds only what the orchestrator and the generator share; it must
not import Django, because the orchestrator runs each database in a separate
process with its own settings.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass


@dataclass(frozen=True)
class Scale:
    """How much data to generate."""

    cases: int
    interactions: int
    customers: int
    organisations: int
    agents: int

    def as_dict(self) -> dict[str, int]:
        return asdict(self)

    def as_args(self) -> list[str]:
        """The generator's command-line options for this scale."""
        return [part for key, value in asdict(self).items() for part in (f"--{key}", str(value))]


# "full" is the size issue 2 sets the p95 target for; "small" proves the
# tooling end to end in well under a minute.
SCALES: dict[str, Scale] = {
    "small": Scale(cases=2_000, interactions=20_000, customers=400, organisations=40, agents=10),
    "full": Scale(
        cases=100_000, interactions=1_000_000, customers=20_000, organisations=2_000, agents=50
    ),
}

BENCH_AGENT = "bench-agent"
DEFAULT_SEED = 20240601
