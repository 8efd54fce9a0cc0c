"""`truedesk erlang`: the planner's question answered from the command line."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

QUESTION = [
    "--arrivals-per-hour",
    "360",
    "--aht",
    "240",
    "--target-sl",
    "0.8",
    "--answer-time",
    "20",
]


def _row(text: str, label: str) -> str:
    """The value printed after `label` in the table (label and value split by 2+ spaces)."""
    for line in text.splitlines():
        name, _gap, value = line.strip().partition("  ")
        if name == label:
            return value.strip()
    raise AssertionError(f"no row {label!r} in:\n{text}")


def _run(*args: str) -> str:
    out = StringIO()
    call_command("erlang", *args, stdout=out)
    return out.getvalue()


def test_without_agents_it_prints_the_agents_required_and_their_metrics():
    text = _run(*QUESTION)
    assert "Erlang C (M/M/n)" in text
    assert "24.00 Erlangs" in text
    assert _row(text, "Agents required") == "29"
    assert "Probability of waiting" in text and "Occupancy" in text
    assert "Service level (20 s)" in text and "84.0 %" in text
    assert "Abandonment" not in text


def test_with_patience_it_uses_erlang_a_and_reports_abandonment():
    text = _run(*QUESTION, "--patience", "180")
    assert "Erlang A (M/M/n+M)" in text and "patience 180 s" in text
    assert _row(text, "Agents required") == "27"
    assert _row(text, "Abandonment") == "3.9 %"


def test_with_agents_it_evaluates_that_staffing_and_says_whether_it_meets_the_target():
    text = _run(*QUESTION, "--patience", "180", "--agents", "20")
    assert "Agents required" not in text
    assert _row(text, "Agents") == "20"
    assert _row(text, "Meets the targets") == "no"


def test_json_output_is_machine_readable():
    data = json.loads(_run(*QUESTION, "--patience", "180", "--json"))
    assert data["model"] == "erlang_a"
    assert data["mode"] == "search"
    assert data["agents"] == 27
    assert data["meets_targets"] is True
    assert data["inputs"]["load_erlangs"] == 24.0
    assert 0.8 <= data["metrics"]["service_level"] < 0.9
    assert set(data["metrics"]) == {
        "p_wait",
        "service_level",
        "asa_seconds",
        "average_wait_seconds",
        "occupancy",
        "p_abandon",
    }


@pytest.mark.parametrize(
    ("args", "words"),
    [
        (["--arrivals-per-hour", "360", "--aht", "240", "--agents", "20"], "cannot keep up"),
        (["--arrivals-per-hour", "360", "--aht", "-5", "--target-sl", "0.8"], "handling time"),
        (["--arrivals-per-hour", "360", "--aht", "240", "--target-sl", "1.2"], "between 0 and 1"),
        (["--arrivals-per-hour", "nan", "--aht", "240", "--target-sl", "0.8"], "finite"),
        (["--arrivals-per-hour", "360", "--aht", "240"], "at least one target"),
        (["--arrivals-per-hour", "360", "--aht", "240", "--max-abandon", "0.1"], "patience"),
    ],
)
def test_bad_input_is_a_command_error_with_a_clear_message(args, words):
    with pytest.raises(CommandError, match=words):
        _run(*args)


def test_the_installed_truedesk_command_runs_it_and_fails_cleanly(tmp_path):
    truedesk = Path(sys.executable).with_name("truedesk")
    env = {**os.environ, "TRUEDESK_DATA_DIR": str(tmp_path)}
    done = subprocess.run(
        [str(truedesk), "erlang", *QUESTION, "--patience", "180", "--json"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["agents"] == 27
    failed = subprocess.run(
        [str(truedesk), "erlang", "--arrivals-per-hour", "360", "--aht", "0", "--target-sl", "0.8"],
        capture_output=True,
        text=True,
        env=env,
        timeout=120,
        check=False,
    )
    assert failed.returncode != 0
    assert "average handling time must be more than zero" in failed.stderr
    assert "Traceback" not in failed.stderr


def test_an_impossible_load_says_no_staffing_up_to_the_limit():
    from truedesk.workforce.queueing import QueueingInputError, required_agents

    with pytest.raises(QueueingInputError) as error:
        required_agents(
            arrivals_per_hour=1e12, aht_seconds=240, target_sl=0.8, answer_time_seconds=20
        )
    assert "1,000,000" in str(error.value)
