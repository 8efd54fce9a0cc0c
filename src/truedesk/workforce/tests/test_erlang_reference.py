"""The engine against published tables and independent high-precision computations."""

from __future__ import annotations

import math
from fractions import Fraction

import numpy as np
import pytest
from scipy.optimize import brentq

from truedesk.workforce.queueing import erlang_b, erlang_c, evaluate, evaluate_many
from truedesk.workforce.tests import exact_sums

# (agents, blocking, offered Erlangs as printed) from the standard Erlang B table.
ERLANG_B_TABLE = [
    (1, 0.01, 0.0101),
    (2, 0.01, 0.153),
    (5, 0.01, 1.36),
    (10, 0.01, 4.46),
    (20, 0.01, 12.03),
    (50, 0.01, 37.90),
    (100, 0.01, 84.06),
    (10, 0.02, 5.08),
    (20, 0.02, 13.18),
    (100, 0.02, 87.97),
    (10, 0.05, 6.22),
    (20, 0.05, 15.25),
    (30, 0.05, 24.80),
]


@pytest.mark.parametrize(("agents", "blocking", "printed"), ERLANG_B_TABLE)
def test_erlang_b_reproduces_the_published_traffic_table(agents, blocking, printed):
    """Erlang B traffic tables (e.g. V. B. Iversen, *Teletraffic Engineering and Network
    Planning*, DTU/ITU-D, table of Erlang's B formula): the load that n circuits carry at
    a given blocking, printed to the table's digits, is what our B solves to."""
    load = brentq(lambda a: erlang_b(agents, a) - blocking, 1e-9, 10.0 * agents, xtol=1e-13)
    digits = len(str(printed).split(".")[1])
    assert round(load, digits) == pytest.approx(printed, abs=10**-digits / 10)


def test_erlang_c_reproduces_the_ten_erlang_worked_example():
    """The standard worked example (Call Centre Helper, "Erlang C formula — made simple";
    reproduced by P. Prevos, lucidmanager.org, and in pyworkforce's tests): 100 calls per
    30 minutes, 3-minute handling, 80 % in 20 s. 11 agents: P(wait) 68.21 %;
    14 agents: P(wait) 0.174, service level 0.888, occupancy 0.714."""
    eleven = evaluate(arrivals_per_hour=200, aht_seconds=180, agents=11, answer_time_seconds=20)
    assert round(eleven.p_wait, 4) == 0.6821
    fourteen = evaluate(arrivals_per_hour=200, aht_seconds=180, agents=14, answer_time_seconds=20)
    assert round(fourteen.p_wait, 3) == 0.174
    assert round(fourteen.service_level, 3) == 0.888
    assert round(fourteen.occupancy, 3) == 0.714


@pytest.mark.parametrize("rho", [0.1, 0.5, 0.9, 0.999])
def test_one_and_two_agent_queues_match_their_textbook_closed_forms(rho):
    """M/M/1: P(wait) = rho, ASA = rho/(mu - lambda). M/M/2: P(wait) = 2 rho^2/(1 + rho)
    (Kleinrock, *Queueing Systems* vol. 1, ch. 3; Gross & Harris)."""
    aht = 300.0
    one = evaluate(
        arrivals_per_hour=rho * 3600 / aht, aht_seconds=aht, agents=1, answer_time_seconds=0
    )
    assert one.p_wait == pytest.approx(rho, rel=1e-13)
    assert one.asa_seconds == pytest.approx(rho * aht / (1 - rho), rel=1e-11)
    assert one.service_level == pytest.approx(1 - rho, rel=1e-11)
    two = evaluate(
        arrivals_per_hour=2 * rho * 3600 / aht, aht_seconds=aht, agents=2, answer_time_seconds=0
    )
    assert two.p_wait == pytest.approx(2 * rho**2 / (1 + rho), rel=1e-13)


@pytest.mark.parametrize(
    ("agents", "load"),
    [(1, Fraction(1, 3)), (3, Fraction(5, 2)), (7, Fraction(13, 2)), (12, Fraction(119, 10))],
)
def test_erlang_c_equals_the_exact_rational_sum(agents, load):
    """Independent check (no published table needed): Erlang C's defining sum in exact
    rational arithmetic, C = (a^n/n! * n/(n-a)) / (sum_{j<n} a^j/j! + a^n/n! * n/(n-a))."""
    top = load**agents / math.factorial(agents) * agents / (agents - load)
    bottom = sum(load**j / math.factorial(j) for j in range(agents)) + top
    assert erlang_c(agents, float(load)) == pytest.approx(float(top / bottom), rel=1e-14)


@pytest.mark.parametrize("agents", [1, 2000, 10_000])
def test_erlang_b_and_c_hold_full_precision_at_load_999_per_mille_of_agents(agents):
    """Independent check: the Erlang B recursion run in 50-digit decimal arithmetic, at the
    hardest load for naive formulas (0.999 x agents) and up to 10,000 agents."""
    load = 0.999 * agents
    assert erlang_b(agents, load) == pytest.approx(
        float(exact_sums.erlang_b(agents, load)), rel=1e-13
    )
    assert erlang_c(agents, load) == pytest.approx(
        float(exact_sums.erlang_c(agents, load)), rel=1e-13
    )


def test_ten_thousand_agents_with_load_far_below_or_above_do_not_overflow():
    """Far from the load the ratios span thousands of orders of magnitude; results must be
    clean 0/1 limits, not NaN."""
    assert erlang_c(10_000, 100.0) == 0.0
    assert erlang_b(10, 1e6) == pytest.approx(float(exact_sums.erlang_b(10, 1e6)), rel=1e-13)
    swept = evaluate_many(
        arrivals_per_hour=3600.0 * np.array([1.0, 5000.0, 9999.0, 20000.0]),
        aht_seconds=1.0,
        agents=10_000,
        answer_time_seconds=20,
        patience_seconds=60,
    )
    assert np.all(np.isfinite(swept.p_wait)) and np.all(np.isfinite(swept.asa_seconds))
    assert swept.p_abandon[-1] == pytest.approx(0.5, abs=1e-3)  # fluid limit 1 - n/a


ERLANG_A_CASES = [
    # arrivals/hour, aht, agents, answer time, patience
    (360, 240, 27, 20, 180),  # the planner question
    (360, 240, 20, 20, 120),  # fewer agents than the 24-Erlang load
    (30, 300, 1, 20, 60),  # one agent
    (30, 300, 3, 60, 600),
    (3600, 180, 150, 15, 30),
    (200, 180, 11, 20, 5),  # very impatient
    (100, 600, 5, 0, 1000),  # answer time 0: SL = P(no wait)
    (50, 60, 2, 30, 1),
]


@pytest.mark.parametrize(("arrivals", "aht", "agents", "answer", "patience"), ERLANG_A_CASES)
def test_erlang_a_equals_its_birth_death_chain_summed_in_high_precision(
    arrivals, aht, agents, answer, patience
):
    """Independent check of the Mandelbaum-Zeltyn closed forms (and our quadrature for
    the answered contacts' mean wait): the M/M/n+M chain summed state by state in 50-digit
    decimals, with per-state answer and on-time probabilities from first principles
    (see exact_sums.erlang_a). No published Erlang A table was reachable offline."""
    got = evaluate(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        agents=agents,
        answer_time_seconds=answer,
        patience_seconds=patience,
    )
    want = exact_sums.erlang_a(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        agents=agents,
        answer_time_seconds=answer,
        patience_seconds=patience,
    )
    assert got.p_wait == pytest.approx(float(want.p_wait), rel=1e-12)
    assert got.p_abandon == pytest.approx(float(want.p_abandon), rel=1e-12)
    assert got.service_level == pytest.approx(float(want.service_level), rel=1e-12)
    assert got.asa_seconds == pytest.approx(float(want.asa_seconds), rel=1e-12)
    assert got.average_wait_seconds == pytest.approx(float(want.average_wait_seconds), rel=1e-12)
    assert got.occupancy == pytest.approx(float(want.occupancy), rel=1e-12)


@pytest.mark.parametrize("agents", [2000, 10_000])
@pytest.mark.parametrize(("aht", "patience"), [(240, 180), (300, 30)])
def test_erlang_a_holds_full_precision_for_thousands_of_agents(agents, aht, patience):
    """Independent check at 2,000 and 10,000 agents with load 0.999 x agents."""
    arrivals = 0.999 * agents * 3600 / aht
    got = evaluate(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        agents=agents,
        answer_time_seconds=20,
        patience_seconds=patience,
    )
    want = exact_sums.erlang_a(
        arrivals_per_hour=arrivals,
        aht_seconds=aht,
        agents=agents,
        answer_time_seconds=20,
        patience_seconds=patience,
        service_level=False,
    )
    assert got.p_wait == pytest.approx(float(want.p_wait), rel=1e-12)
    assert got.p_abandon == pytest.approx(float(want.p_abandon), rel=1e-12)
    assert got.asa_seconds == pytest.approx(float(want.asa_seconds), rel=1e-12)


def test_erlang_a_becomes_erlang_c_when_callers_never_give_up():
    """Limit check: patience -> infinity turns M/M/n+M into M/M/n."""
    c = evaluate(arrivals_per_hour=360, aht_seconds=240, agents=27, answer_time_seconds=20)
    a = evaluate(
        arrivals_per_hour=360,
        aht_seconds=240,
        agents=27,
        answer_time_seconds=20,
        patience_seconds=1e9,
    )
    assert a.p_wait == pytest.approx(c.p_wait, rel=1e-5)
    assert a.service_level == pytest.approx(c.service_level, rel=1e-5)
    assert a.asa_seconds == pytest.approx(c.asa_seconds, rel=1e-5)
    assert a.p_abandon < 1e-6


def test_erlang_a_becomes_erlang_b_when_callers_hang_up_at_once():
    """Limit check: patience -> 0 makes every caller who finds all agents busy leave, the
    Erlang loss system, so P(abandon) -> B(n, a)."""
    a = evaluate(
        arrivals_per_hour=360,
        aht_seconds=240,
        agents=20,
        answer_time_seconds=20,
        patience_seconds=1e-6,
    )
    assert a.p_abandon == pytest.approx(erlang_b(20, 24.0), rel=1e-6)
