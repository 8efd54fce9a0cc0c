"""`truedesk check-promises`: the gaps printed for people, as JSON, and as an exit status."""

from __future__ import annotations

import json
from datetime import time
from io import StringIO

import pytest
from django.core.management import call_command

from truedesk.cli import main
from truedesk.workforce.actions import ServiceLevelTerms, add_weekly_shift, publish_service_level
from truedesk.workforce.coverage import WeeklyPattern

WEEK = "--week-start=2026-03-02"
PHONE = "Phone support 24/7"


@pytest.fixture
def phone_promise(world):
    """Phone support 24/7, with alice on the phone Mon-Sat 08:00-20:00 Vilnius."""
    pattern = WeeklyPattern(frozenset(range(6)), time(8), time(20), "Europe/Vilnius")
    add_weekly_shift(acting_user=world.carol, agent=world.alice, pattern=pattern, channel="phone")
    terms = ServiceLevelTerms(text="Phone support 24/7", channel="phone")
    return publish_service_level(acting_user=world.carol, terms=terms)


def _run(*args: str) -> str:
    out = StringIO()
    call_command("check_promises", *args, stdout=out)
    return out.getvalue()


def test_every_gap_is_printed_one_per_line(phone_promise):
    lines = _run(WEEK).splitlines()

    assert lines[-1] == f"{PHONE}: nobody scheduled Sat 20:00 \u2013 Mon 08:00 (36 h/week)"
    assert lines[0] == f"{PHONE}: nobody scheduled Mon 20:00 \u2013 Tue 08:00 (12 h/week)"
    assert len(lines) == 6


def test_json_lists_levels_with_their_gaps(phone_promise):
    body = json.loads(_run(WEEK, "--json"))

    assert body["gap_count"] == 6
    (level,) = body["levels"]
    assert level["text"] == "Phone support 24/7"
    assert level["gap_hours_per_week"] == 36 + 5 * 12
    weekend = level["gaps"][-1]
    assert weekend["hours_per_week"] == 36
    assert weekend["local_start"] == "2026-03-07T20:00:00+02:00"
    assert weekend["local_end"] == "2026-03-09T08:00:00+02:00"
    assert weekend["start"] == "2026-03-07T18:00:00+00:00"


def test_fail_on_gap_exits_with_status_one_only_when_there_is_a_gap(world, phone_promise):
    with pytest.raises(SystemExit) as failed:
        _run(WEEK, "--fail-on-gap")
    nights = WeeklyPattern(frozenset(range(7)), time(20), time(8), "Europe/Vilnius")
    add_weekly_shift(acting_user=world.carol, agent=world.bob, pattern=nights)
    sunday = WeeklyPattern(frozenset({6}), time(8), time(20), "Europe/Vilnius")
    add_weekly_shift(acting_user=world.carol, agent=world.bob, pattern=sunday)

    assert failed.value.code == 1
    assert _run(WEEK, "--fail-on-gap") == "No gaps: every published service level is staffed.\n"


def test_nothing_published_is_said_plainly(world):
    assert _run() == "No published service levels to check.\n"


def test_the_command_answers_to_its_hyphenated_name(phone_promise, capsys):
    main(["check-promises", WEEK])

    assert "Sat 20:00 \u2013 Mon 08:00 (36 h/week)" in capsys.readouterr().out
